-- AlertBot schema, version 2 (PostgreSQL): stories across sources, story updates, digests, priority terms.
-- The same columns and rules as SQLite's 0002.

-- What an outbox row asks of a sink. 'held' rows wait for their channel's digest and are never claimed; when the
-- digest is built they are closed as delivered and ref_id names the digest row. An 'update' row's ref_id names the
-- alert it edits. (No foreign key: a reference is only read, and a key check would lock the referred row.)
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'update', 'digest', 'held'));
ALTER TABLE outbox ADD COLUMN ref_id bigint;

-- The story fingerprint of an alert (see Core's StoryFingerprint): canonical URL, normalised title, 64-bit SimHash.
ALTER TABLE outbox ADD COLUMN story_url text;
ALTER TABLE outbox ADD COLUMN story_title text;
ALTER TABLE outbox ADD COLUMN story_hash bigint;

-- "This channel's stories of the last 48 hours", asked by every poll that matched something.
CREATE INDEX ix_outbox_story ON outbox (channel_id, created_at) WHERE story_hash IS NOT NULL;

-- Updates still pending for an alert: a newer one supersedes them.
CREATE INDEX ix_outbox_ref ON outbox (ref_id) WHERE ref_id IS NOT NULL;

-- Held rows by the end of their period: what each drain asks first.
CREATE INDEX ix_outbox_held ON outbox (next_attempt_at) WHERE kind = 'held' AND status = 'pending';

-- The claim's indexes leave held rows out, as the claim does: a channel on a daily digest can hold a day of alerts,
-- and the head lookup would otherwise walk past all of them on every claim.
DROP INDEX ix_outbox_pending_head;
DROP INDEX ix_outbox_pending_order;
DROP INDEX ix_outbox_pending_channel;
CREATE INDEX ix_outbox_pending_head ON outbox (channel_id, created_at, id) WHERE status = 'pending' AND kind <> 'held';
CREATE INDEX ix_outbox_pending_order ON outbox (created_at, id) WHERE status = 'pending' AND kind <> 'held';
CREATE INDEX ix_outbox_pending_channel ON outbox (channel_id, next_attempt_at) WHERE status = 'pending' AND kind <> 'held';

ALTER TABLE channels ADD COLUMN digest text NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'hourly', 'daily'));

ALTER TABLE watch_terms ADD COLUMN priority boolean NOT NULL DEFAULT false;
