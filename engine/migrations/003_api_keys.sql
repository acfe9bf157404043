-- Server API keys: each app has one current key (expires_at = 0) and,
-- after a rotation, old keys that keep working until expires_at. Only a
-- SHA-256 hash of a key is kept; the key itself is shown once.
CREATE TABLE engine_api_keys (
    key_hash   TEXT PRIMARY KEY,  -- hex SHA-256 of the key
    app_id     TEXT NOT NULL REFERENCES engine_apps(id) ON DELETE CASCADE,
    prefix     TEXT NOT NULL,     -- first characters of the key, to tell keys apart
    created_at INTEGER NOT NULL,  -- Unix ms
    expires_at INTEGER NOT NULL DEFAULT 0 -- Unix ms; 0 = current key
) WITHOUT ROWID;
CREATE INDEX engine_api_keys_app ON engine_api_keys(app_id);

-- A per-app override of the server API rate (requests per second; 0 =
-- the engine's Limits.APIRate).
ALTER TABLE engine_apps ADD COLUMN api_rate REAL NOT NULL DEFAULT 0;
