-- Per-node probes (Config.NodeURLs, -status-probe-urls): one row per
-- probe run and engine node, the same checks as status_probes without
-- HTTP, plus a cross-node check. url keys the node (as configured), node is its name at that probe.
-- Kept RawRetention (48 h); the status page's node rows read the last 24 h.
-- status_probes and its roll-ups are unchanged.
CREATE TABLE status_node_probes (
	id            INTEGER PRIMARY KEY,
	url           TEXT NOT NULL,
	node          TEXT NOT NULL,
	at            INTEGER NOT NULL,
	connect_ok    INTEGER,
	messaging_ok  INTEGER,
	peer_ok       INTEGER,
	connect_us    INTEGER NOT NULL DEFAULT 0,
	sent          INTEGER NOT NULL DEFAULT 0,
	expected      INTEGER NOT NULL DEFAULT 0,
	delivered     INTEGER NOT NULL DEFAULT 0,
	latencies_us  TEXT NOT NULL DEFAULT '[]',
	error         TEXT NOT NULL DEFAULT '',
	-- The cross-node check: published on the node at cross_from, received
	-- on this one (cross_ok NULL: not run).
	cross_from      TEXT NOT NULL DEFAULT '',
	cross_ok        INTEGER,
	cross_expected  INTEGER NOT NULL DEFAULT 0,
	cross_delivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX status_node_probes_url_at ON status_node_probes (url, at);
CREATE INDEX status_node_probes_at ON status_node_probes (at);
