-- AlertBot schema, version 2 (SQLite): stories across sources, story updates, digests, priority terms.

-- What an outbox row asks of a sink. 'held' rows wait for their channel's digest and are never claimed; when the
-- digest is built they are closed as delivered and ref_id names the digest row. An 'update' row's ref_id names the
-- alert it edits.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'update', 'digest', 'held'));
ALTER TABLE outbox ADD COLUMN ref_id INTEGER;

-- The story fingerprint of an alert (see Core's StoryFingerprint): canonical URL, normalised title, 64-bit SimHash.
ALTER TABLE outbox ADD COLUMN story_url TEXT;
ALTER TABLE outbox ADD COLUMN story_title TEXT;
ALTER TABLE outbox ADD COLUMN story_hash INTEGER;

-- "This channel's stories of the last 48 hours", asked by every poll that matched something.
CREATE INDEX ix_outbox_story ON outbox (channel_id, created_at) WHERE story_hash IS NOT NULL;

-- Updates still pending for an alert: a newer one supersedes them.
CREATE INDEX ix_outbox_ref ON outbox (ref_id) WHERE ref_id IS NOT NULL;

-- Held rows by the end of their period: what each drain asks first.
CREATE INDEX ix_outbox_held ON outbox (next_attempt_at) WHERE kind = 'held' AND status = 'pending';

ALTER TABLE channels ADD COLUMN digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'hourly', 'daily'));

ALTER TABLE watch_terms ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1));
