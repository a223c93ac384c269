-- AlertBot schema, version 6 (SQLite): /feeds pause. A channel that paused one of its feeds keeps reading it (the
-- row stays, so /feeds list shows it and /feeds resume needs nothing else) but gets no alerts from it meanwhile.
-- NULL: not paused. Removing the feed removes the row and its pause with it.
ALTER TABLE channel_feeds ADD COLUMN paused_at TEXT;
