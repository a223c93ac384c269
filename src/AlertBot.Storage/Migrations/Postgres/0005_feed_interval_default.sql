-- A feed's interval is its own only when someone gave it one (configuration's Interval, `alertbot feed set`);
-- otherwise it follows AlertBot:Polling:DefaultInterval as that changes. interval_ms is read only when
-- interval_explicit is true. Feeds stored before this version follow the default (see the SQLite script).
ALTER TABLE feeds ADD COLUMN interval_explicit boolean NOT NULL DEFAULT false;
