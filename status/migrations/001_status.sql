-- Status component: probe results, their roll-ups, gaps in monitoring and
-- incidents. Times are Unix milliseconds (UTC) unless the column says
-- otherwise; minute and day keys are Unix seconds of the UTC minute or day start.

CREATE TABLE status_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- One row per probe run. Component columns: 1 = ok, 0 = failed,
-- NULL = not probed (for example no HTTP URL configured).
CREATE TABLE status_probes (
	id            INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,
	connect_ok    INTEGER,
	messaging_ok  INTEGER,
	peer_ok       INTEGER,
	http_ok       INTEGER,
	connect_us    INTEGER NOT NULL DEFAULT 0,
	http_us       INTEGER NOT NULL DEFAULT 0,
	sent          INTEGER NOT NULL DEFAULT 0,
	expected      INTEGER NOT NULL DEFAULT 0,
	delivered     INTEGER NOT NULL DEFAULT 0,
	latencies_us  TEXT NOT NULL DEFAULT '[]',
	error         TEXT NOT NULL DEFAULT '',
	rolled        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX status_probes_at ON status_probes (at);
CREATE INDEX status_probes_unrolled ON status_probes (rolled, at);

-- Per component and UTC minute: probe counts, message sums and a latency
-- histogram (JSON [[bucket, count], ...]); kept 30 days.
CREATE TABLE status_minutes (
	component TEXT NOT NULL,
	minute    INTEGER NOT NULL,
	ok        INTEGER NOT NULL DEFAULT 0,
	failed    INTEGER NOT NULL DEFAULT 0,
	sent      INTEGER NOT NULL DEFAULT 0,
	expected  INTEGER NOT NULL DEFAULT 0,
	delivered INTEGER NOT NULL DEFAULT 0,
	hist      TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (component, minute)
) WITHOUT ROWID;

-- Per component and UTC day: minutes up and down (no-data minutes are the
-- rest of the day), probe counts, message sums and a latency histogram.
CREATE TABLE status_days (
	component    TEXT NOT NULL,
	day          INTEGER NOT NULL,
	up_minutes   INTEGER NOT NULL DEFAULT 0,
	down_minutes INTEGER NOT NULL DEFAULT 0,
	ok           INTEGER NOT NULL DEFAULT 0,
	failed       INTEGER NOT NULL DEFAULT 0,
	sent         INTEGER NOT NULL DEFAULT 0,
	expected     INTEGER NOT NULL DEFAULT 0,
	delivered    INTEGER NOT NULL DEFAULT 0,
	hist         TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (component, day)
) WITHOUT ROWID;

-- Periods in which nothing was measured because the prober (usually the
-- whole server) was not running, found at start-up.
CREATE TABLE status_gaps (
	id       INTEGER PRIMARY KEY,
	start_at INTEGER NOT NULL,
	end_at   INTEGER NOT NULL
);
CREATE INDEX status_gaps_end ON status_gaps (end_at);

CREATE TABLE status_incidents (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL,
	severity    TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
	components  TEXT NOT NULL,
	started_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER
);
CREATE INDEX status_incidents_started ON status_incidents (started_at);

CREATE TABLE status_incident_updates (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES status_incidents (id) ON DELETE CASCADE,
	status      TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
	message     TEXT NOT NULL,
	author_id   INTEGER NOT NULL,
	author_name TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX status_incident_updates_incident ON status_incident_updates (incident_id, created_at);
