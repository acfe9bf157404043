-- Sandbox apps: an engine app created for an evaluator, deleted at expiry.
CREATE TABLE sandbox_apps (
    app_id     TEXT PRIMARY KEY,
    client_ip  TEXT NOT NULL,
    users      TEXT NOT NULL,      -- JSON array of user IDs
    created_at INTEGER NOT NULL,   -- Unix ms
    expires_at INTEGER NOT NULL    -- Unix ms
);
CREATE INDEX sandbox_apps_expiry ON sandbox_apps (expires_at);

-- One row per sandbox app created, kept for the per-IP quota window even
-- after the app itself expired.
CREATE TABLE sandbox_creations (
    client_ip  TEXT NOT NULL,
    created_at INTEGER NOT NULL    -- Unix ms
);
CREATE INDEX sandbox_creations_ip ON sandbox_creations (client_ip, created_at);

-- Finished load-test reports, readable by their permalink.
CREATE TABLE sandbox_reports (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,   -- Unix ms
    report     TEXT NOT NULL       -- JSON of Report
);
CREATE INDEX sandbox_reports_created ON sandbox_reports (created_at);
