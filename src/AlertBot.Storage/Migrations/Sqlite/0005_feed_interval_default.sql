-- A feed's interval is its own only when someone gave it one (configuration's Interval, `alertbot feed set`);
-- otherwise it follows AlertBot:Polling:DefaultInterval as that changes. interval_ms is read only when
-- interval_explicit is 1. Feeds stored before this version follow the default: their interval was the default
-- of the day they were added, and configured feeds with an Interval are written again at every start.
ALTER TABLE feeds ADD COLUMN interval_explicit INTEGER NOT NULL DEFAULT 0 CHECK (interval_explicit IN (0, 1));
