-- Webhook endpoints, the durable outbox and the recent delivery attempts.
CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,            -- comma-separated event types
    channels   TEXT NOT NULL DEFAULT '', -- channel pattern of publish events
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL          -- Unix milliseconds
);
CREATE INDEX webhook_endpoints_app ON webhook_endpoints (app_id);

-- One row per event and endpoint until it is delivered (then deleted) or
-- has failed for good (state 'failed').
CREATE TABLE webhook_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    body        BLOB NOT NULL,
    created_at  INTEGER NOT NULL, -- Unix milliseconds
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL, -- Unix milliseconds of the next attempt
    state       TEXT NOT NULL DEFAULT 'pending',
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_outbox_head ON webhook_outbox (endpoint_id, state, seq);

-- The last attempts per endpoint (pruned to 100), for the console.
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status      INTEGER NOT NULL, -- HTTP status; 0 when there was no answer
    error       TEXT NOT NULL,
    duration_us INTEGER NOT NULL,
    at          INTEGER NOT NULL  -- Unix milliseconds
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
