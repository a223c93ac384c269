-- AlertBot schema, version 4 (SQLite): story candidates by indexed keys, and retention. The same as PostgreSQL's 0004.

-- "Which of this channel's alerts could be this story": the link and the title are equality lookups; the SimHash
-- distance is computed over the (channel_id, created_at) window of ix_outbox_story.
CREATE INDEX ix_outbox_story_url ON outbox (channel_id, story_url) WHERE story_url IS NOT NULL;
CREATE INDEX ix_outbox_story_title ON outbox (channel_id, story_title) WHERE story_hash IS NOT NULL;

-- Retention. last_seen_at: when a fetched document last listed the item (refreshed at most hourly); feeds.seen_floor:
-- every item the feed's last fetched document listed has last_seen_at at or after it, so an item below it is no
-- longer listed and may be pruned once old. A feed answering 304 for months keeps its floor, and so its items.
ALTER TABLE seen_items ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE seen_items SET last_seen_at = first_seen_at;
CREATE INDEX ix_seen_items_last_seen ON seen_items (feed_id, last_seen_at);
ALTER TABLE feeds ADD COLUMN seen_floor TEXT;

-- What retention deletes: rows closed long ago (pending rows are never touched).
CREATE INDEX ix_outbox_delivered_at ON outbox (delivered_at) WHERE status = 'delivered';
CREATE INDEX ix_outbox_closed_at ON outbox (closed_at) WHERE status = 'undeliverable';
