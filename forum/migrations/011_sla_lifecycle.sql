-- Issue 11: the question's lifecycle, member-chosen priorities and
-- reader time zones.
--
-- Which priorities members may choose when they ask in a category; staff
-- may set any. The seeded policies let members choose normal and high
-- wherever there are targets, and urgent in Production and SLA only.
ALTER TABLE forum_sla_policies ADD COLUMN member_choice INTEGER NOT NULL DEFAULT 0;
UPDATE forum_sla_policies SET member_choice = 1
	WHERE (priority IN ('normal', 'high') AND (first_target > 0 OR next_target > 0))
	   OR (priority = 'urgent' AND category_slug = 'production-sla');

-- Per-user settings of the SLA and reading side: the time zone every time
-- on a page is shown in ('' until the user sets one: Asia/Shanghai for
-- Chinese pages, UTC for English ones).
CREATE TABLE forum_user_settings (
	user_id   INTEGER PRIMARY KEY REFERENCES forum_users(id),
	time_zone TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL
);

-- When the stored results were last recomputed after a calendar change,
-- and how far a running recompute has got (one row).
CREATE TABLE forum_sla_recompute (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,          -- NULL while running
	reason      TEXT NOT NULL,    -- e.g. "cn 2027"
	total       INTEGER NOT NULL,
	done        INTEGER NOT NULL,
	changed     INTEGER NOT NULL  -- topics whose stored result changed
);

-- The clock's rules changed (a solved or closed topic stops every clock;
-- the policy follows the current priority): re-measure every topic once
-- at the next start, by replaying the event log from the beginning.
UPDATE forum_sla_topics SET seen_event_id = 0;
DELETE FROM forum_sla_cursor;
