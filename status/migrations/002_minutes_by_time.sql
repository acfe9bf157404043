-- Summary reads the last 24 hours of minutes and Rollup deletes old ones,
-- both by time across components.
CREATE INDEX status_minutes_minute ON status_minutes (minute);
