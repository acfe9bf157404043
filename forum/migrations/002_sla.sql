-- Response-time (SLA) metrics, one row per topic, kept up to date from
-- forum_events by the SLA service (sla_service.go). Pages read these rows
-- and never recompute history. Durations are INTEGER milliseconds,
-- instants INTEGER Unix milliseconds (NULL: not yet / none).

CREATE TABLE forum_sla_topics (
	topic_id      INTEGER PRIMARY KEY REFERENCES forum_topics(id),
	category_slug TEXT NOT NULL,
	lang          TEXT NOT NULL,
	priority      TEXT NOT NULL,        -- at creation: it chose the policy
	created_at    INTEGER NOT NULL,
	-- The policy's targets, copied when the topic was first measured and
	-- never rewritten: editing a policy later does not change history.
	first_target  INTEGER NOT NULL DEFAULT 0, -- ms; 0: no target
	first_basis   TEXT NOT NULL DEFAULT 'business',
	next_target   INTEGER NOT NULL DEFAULT 0,
	next_basis    TEXT NOT NULL DEFAULT 'business',
	-- First official response.
	first_at       INTEGER,
	first_post_id  INTEGER,
	first_business INTEGER NOT NULL DEFAULT 0,
	first_calendar INTEGER NOT NULL DEFAULT 0,
	first_due      INTEGER,
	first_risk_at  INTEGER,
	first_state    TEXT NOT NULL DEFAULT 'none',
	-- Next official response: the latest cycle (asker follow-up → staff reply).
	next_start    INTEGER,
	next_at       INTEGER,
	next_business INTEGER NOT NULL DEFAULT 0,
	next_calendar INTEGER NOT NULL DEFAULT 0,
	next_due      INTEGER,
	next_risk_at  INTEGER,
	next_state    TEXT NOT NULL DEFAULT 'none',
	-- Time to solution (creation → accepted answer).
	solved_at         INTEGER,
	solution_business INTEGER NOT NULL DEFAULT 0,
	solution_calendar INTEGER NOT NULL DEFAULT 0,
	-- What the queue needs: 0 nothing awaited, 1 first, 2 next response;
	-- due is that clock's due time (NULL while paused or without target).
	awaiting  INTEGER NOT NULL DEFAULT 0,
	due       INTEGER,
	paused    INTEGER NOT NULL DEFAULT 0,
	closed    INTEGER NOT NULL DEFAULT 0,
	deleted   INTEGER NOT NULL DEFAULT 0,
	seen_event_id INTEGER NOT NULL DEFAULT 0, -- the topic's latest event when measured
	updated_at    INTEGER NOT NULL
);
CREATE INDEX forum_sla_topics_queue   ON forum_sla_topics(due) WHERE awaiting > 0 AND deleted = 0 AND closed = 0;
CREATE INDEX forum_sla_topics_created ON forum_sla_topics(created_at) WHERE deleted = 0;

-- SLA policies: category × priority → targets. Seeded from
-- sla.DefaultPolicies; admins edit them.
CREATE TABLE forum_sla_policies (
	category_slug TEXT NOT NULL,
	priority      TEXT NOT NULL CHECK (priority IN ('normal','high','urgent')),
	first_target  INTEGER NOT NULL DEFAULT 0,
	first_basis   TEXT NOT NULL DEFAULT 'business',
	next_target   INTEGER NOT NULL DEFAULT 0,
	next_basis    TEXT NOT NULL DEFAULT 'business',
	updated_at    INTEGER NOT NULL,
	updated_by    INTEGER REFERENCES forum_users(id),
	PRIMARY KEY (category_slug, priority)
) WITHOUT ROWID;

-- How far the SLA service has read forum_events (catch-up at start-up).
CREATE TABLE forum_sla_cursor (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	event_id INTEGER NOT NULL
);
