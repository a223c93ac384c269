-- AlertBot schema, version 6 (PostgreSQL): /feeds pause (see the SQLite script). NULL: not paused.
ALTER TABLE channel_feeds ADD COLUMN paused_at timestamptz;
