-- Availability is counted in measured time, not whole minutes: each probe
-- stands for the time until the next probe (at most the probe interval),
-- and minutes and days keep the milliseconds that were measured up and
-- down. The rest is no data.
ALTER TABLE status_minutes ADD COLUMN up_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE status_minutes ADD COLUMN down_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE status_days ADD COLUMN up_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE status_days ADD COLUMN down_ms INTEGER NOT NULL DEFAULT 0;

-- Rows rolled up before this change kept only probe counts. Each probe is
-- taken to stand for the default interval (10 s), within its minute:
-- failures first, so that old data never reads better than it was.
UPDATE status_minutes SET
	down_ms = min(failed * 10000, 60000),
	up_ms = min(ok * 10000, 60000 - min(failed * 10000, 60000));
UPDATE status_days SET
	down_ms = min(failed * 10000, down_minutes * 60000),
	up_ms = min(ok * 10000, up_minutes * 60000);
UPDATE status_days SET
	up_ms = (SELECT sum(m.up_ms) FROM status_minutes m
		WHERE m.component = status_days.component AND m.minute >= status_days.day AND m.minute < status_days.day + 86400),
	down_ms = (SELECT sum(m.down_ms) FROM status_minutes m
		WHERE m.component = status_days.component AND m.minute >= status_days.day AND m.minute < status_days.day + 86400)
WHERE EXISTS (SELECT 1 FROM status_minutes m
	WHERE m.component = status_days.component AND m.minute >= status_days.day AND m.minute < status_days.day + 86400);
ALTER TABLE status_days DROP COLUMN up_minutes;
ALTER TABLE status_days DROP COLUMN down_minutes;

-- The spans of the probes already rolled up end 10 s after the last one.
INSERT INTO status_meta (key, value)
	SELECT 'spanned_through', CAST(max(at) + 10000 AS TEXT) FROM status_probes WHERE rolled = 1 HAVING count(*) > 0;
