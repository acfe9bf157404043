-- Apps: an App ID, its certificate (the HMAC key for tokens) and optional
-- per-app limit overrides (0 = engine default).
CREATE TABLE engine_apps (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    certificate   TEXT NOT NULL,
    created_at    INTEGER NOT NULL, -- Unix ms
    max_conns     INTEGER NOT NULL DEFAULT 0,
    publish_rate  REAL    NOT NULL DEFAULT 0,
    publish_burst INTEGER NOT NULL DEFAULT 0
);

-- One row per channel that ever had a publication: its epoch and top offset.
CREATE TABLE engine_streams (
    app_id     TEXT NOT NULL REFERENCES engine_apps(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    epoch      TEXT NOT NULL,
    top_offset INTEGER NOT NULL,
    PRIMARY KEY (app_id, channel)
) WITHOUT ROWID;

-- Channel history, trimmed to the history size and TTL.
CREATE TABLE engine_history (
    app_id     TEXT NOT NULL REFERENCES engine_apps(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    offset     INTEGER NOT NULL,
    data       BLOB NOT NULL,
    from_user  TEXT NOT NULL,
    created_at INTEGER NOT NULL, -- Unix ms
    PRIMARY KEY (app_id, channel, offset)
) WITHOUT ROWID;
CREATE INDEX engine_history_created ON engine_history(created_at);

-- Peer messages stored for offline recipients, delivered in id order.
CREATE TABLE engine_offline (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id     TEXT NOT NULL REFERENCES engine_apps(id) ON DELETE CASCADE,
    to_user    TEXT NOT NULL,
    from_user  TEXT NOT NULL,
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL, -- Unix ms
    expires_at INTEGER NOT NULL  -- Unix ms
);
CREATE INDEX engine_offline_to ON engine_offline(app_id, to_user, id);
CREATE INDEX engine_offline_expires ON engine_offline(expires_at);
