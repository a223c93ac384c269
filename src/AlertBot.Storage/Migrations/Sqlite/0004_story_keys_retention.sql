-- AlertBot schema, version 4 (SQLite): story candidates by indexed keys. The same indexes as PostgreSQL's 0004.

-- "Which of this channel's alerts could be this story": the link and the title are equality lookups; the SimHash
-- distance is computed over the (channel_id, created_at) window of ix_outbox_story.
CREATE INDEX ix_outbox_story_url ON outbox (channel_id, story_url) WHERE story_url IS NOT NULL;
CREATE INDEX ix_outbox_story_title ON outbox (channel_id, story_title) WHERE story_hash IS NOT NULL;
