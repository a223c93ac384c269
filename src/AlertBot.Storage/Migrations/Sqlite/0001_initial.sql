-- AlertBot schema, version 1 (SQLite).
-- Timestamps are UTC text 'yyyy-MM-ddTHH:mm:ss.fffffffZ' (fixed width, so text order is time order).
-- Booleans are 0/1. Tables are STRICT so a wrongly typed value fails loudly instead of being stored.

CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    url                  TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    interval_ms          INTEGER NOT NULL CHECK (interval_ms > 0),
    backfill             INTEGER NOT NULL DEFAULT 0 CHECK (backfill >= 0),
    baseline_done        INTEGER NOT NULL DEFAULT 0 CHECK (baseline_done IN (0, 1)),
    etag                 TEXT,
    last_modified        TEXT,
    last_polled_at       TEXT,
    last_success_at      TEXT,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT    NOT NULL
) STRICT;

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform    TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    title       TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (platform, external_id)
) STRICT;

CREATE TABLE channel_feeds (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, feed_id)
) STRICT, WITHOUT ROWID;

-- Who reads a feed: the subscriber lookup of every poll.
CREATE INDEX ix_channel_feeds_feed ON channel_feeds (feed_id, channel_id);

-- text_key is the case-folded term (computed in code: SQLite's NOCASE folds ASCII only), so "Qaani" and "QAANI"
-- are one term for a channel while the text keeps the user's spelling.
CREATE TABLE watch_terms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    text       TEXT    NOT NULL,
    text_key   TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (channel_id, text_key)
) STRICT;

-- Bumped in the same transaction as every term change, so the compiled matcher knows when to rebuild.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO counters (name, value) VALUES ('watchlist_version', 0);

CREATE TABLE seen_items (
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key      TEXT    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    PRIMARY KEY (feed_id, item_key)
) STRICT, WITHOUT ROWID;

-- UNIQUE (channel_id, item_key): a channel never gets the same item twice, whatever the row's status.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id          INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    item_key            TEXT    NOT NULL,
    payload             TEXT    NOT NULL CHECK (json_valid(payload)),
    status              TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'undeliverable')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    created_at          TEXT    NOT NULL,
    next_attempt_at     TEXT    NOT NULL,
    delivered_at        TEXT,
    closed_at           TEXT,
    platform_message_id TEXT,
    UNIQUE (channel_id, item_key)
) STRICT;

-- The claim walks pending rows oldest first; the per-channel index answers "is an older one waiting for a retry".
CREATE INDEX ix_outbox_pending_order ON outbox (created_at, id) WHERE status = 'pending';
CREATE INDEX ix_outbox_pending_channel ON outbox (channel_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_outbox_channel_status ON outbox (channel_id, status);

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
