-- AlertBot schema, version 7 (SQLite): the buttons under alerts, burst escalation, per-term trend counts.

-- Mute story: the alert (outbox row) whose story takes no more updates in its channel. No foreign key to the outbox:
-- pruning an old alert must not be blocked by its mute; a pruned alert's story is past the story window anyway.
CREATE TABLE story_mutes (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    outbox_id  INTEGER NOT NULL,
    muted_at   TEXT    NOT NULL,
    PRIMARY KEY (channel_id, outbox_id)
);

-- Mute term 24 h: the term (lower-cased key) does not alert in the channel until "until".
CREATE TABLE term_mutes (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    term_key   TEXT    NOT NULL,
    term       TEXT    NOT NULL,
    until      TEXT    NOT NULL,
    PRIMARY KEY (channel_id, term_key)
);

-- /escalate: a channel without a row takes the defaults (on, 4 outlets in 30 minutes).
CREATE TABLE escalation_settings (
    channel_id     INTEGER PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    outlets        INTEGER NOT NULL CHECK (outlets >= 2),
    window_minutes INTEGER NOT NULL CHECK (window_minutes >= 1),
    role_id        TEXT
);

-- One escalation per story per channel: an escalation row's item key is 'escalation:<alert id>', and the outbox's
-- UNIQUE (channel_id, item_key) refuses a second one; this index states the rule on its own as well.
CREATE UNIQUE INDEX ux_outbox_escalation ON outbox (channel_id, ref_id) WHERE item_key LIKE 'escalation:%';

-- /trend: items that matched each term of a channel, per hour, added in the poll's transaction.
CREATE TABLE term_counts (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    term_key   TEXT    NOT NULL,
    term       TEXT    NOT NULL,
    hour       TEXT    NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (channel_id, term_key, hour)
);
