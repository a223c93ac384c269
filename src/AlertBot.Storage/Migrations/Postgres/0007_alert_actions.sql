-- AlertBot schema, version 7 (PostgreSQL): the buttons under alerts, burst escalation, per-term trend counts.
-- The same tables and rules as SQLite's 0007.

CREATE TABLE story_mutes (
    channel_id bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    outbox_id  bigint      NOT NULL,
    muted_at   timestamptz NOT NULL,
    PRIMARY KEY (channel_id, outbox_id)
);

CREATE TABLE term_mutes (
    channel_id bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    term_key   text        NOT NULL,
    term       text        NOT NULL,
    until      timestamptz NOT NULL,
    PRIMARY KEY (channel_id, term_key)
);

CREATE TABLE escalation_settings (
    channel_id     bigint  PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    enabled        integer NOT NULL CHECK (enabled IN (0, 1)),
    outlets        integer NOT NULL CHECK (outlets >= 2),
    window_minutes integer NOT NULL CHECK (window_minutes >= 1),
    role_id        text
);

CREATE UNIQUE INDEX ux_outbox_escalation ON outbox (channel_id, ref_id) WHERE item_key LIKE 'escalation:%';

CREATE TABLE term_counts (
    channel_id bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    term_key   text        NOT NULL,
    term       text        NOT NULL,
    hour       timestamptz NOT NULL,
    count      integer     NOT NULL CHECK (count >= 0),
    PRIMARY KEY (channel_id, term_key, hour)
);
