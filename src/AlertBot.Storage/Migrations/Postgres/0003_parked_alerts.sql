-- AlertBot schema, version 3 (PostgreSQL): parked alerts.

-- An alert that failed repeatedly for a reason of its own is set aside ("parked") so its channel's later alerts flow:
-- it is closed like an undeliverable row (status 'undeliverable', closed_at) and parked_at says it may be re-queued
-- by an operator (alertbot outbox requeue), which sets it back to 'pending'.
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;

-- What "alertbot outbox parked" lists.
CREATE INDEX ix_outbox_parked ON outbox (parked_at, id) WHERE parked_at IS NOT NULL;
