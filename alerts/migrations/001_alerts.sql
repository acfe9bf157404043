-- Alert rules per app, and their history. A rule's firing flag is its
-- state between evaluations. Events copy the rule's condition, so the
-- history still reads right after the rule is changed or deleted.
CREATE TABLE alert_rules (
    id         INTEGER PRIMARY KEY,
    app_id     TEXT NOT NULL,
    metric     TEXT NOT NULL CHECK (metric IN ('delivery_rate', 'p99_ms', 'error_rate', 'connections')),
    code       TEXT NOT NULL DEFAULT '', -- error_rate: a protocol code, or '' for all
    threshold  REAL NOT NULL,
    window_min INTEGER NOT NULL CHECK (window_min BETWEEN 1 AND 60),
    firing     INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL -- Unix ms
);
CREATE INDEX alert_rules_app ON alert_rules(app_id);

CREATE TABLE alert_events (
    id         INTEGER PRIMARY KEY,
    rule_id    INTEGER NOT NULL, -- no foreign key: history outlives its rule
    app_id     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('fired', 'resolved')),
    metric     TEXT NOT NULL,
    code       TEXT NOT NULL,
    threshold  REAL NOT NULL,
    window_min INTEGER NOT NULL,
    value      REAL NOT NULL, -- the measured value at the evaluation
    at         INTEGER NOT NULL -- Unix ms
);
CREATE INDEX alert_events_app ON alert_events(app_id, id DESC);
