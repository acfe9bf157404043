-- Usage and health per app: one row per app and minute (step 60, kept
-- 48 hours) and per app and hour (step 3600, kept 30 days), from the
-- engine's counters. t is the start of the minute or hour, Unix seconds. conns is the
-- number connected at the period's last sample, peak the most at once.
-- disconnects and errors are JSON objects by code; sdks the most
-- connections at once per "name version"; hist the latency histogram in
-- package histogram's stored form.
CREATE TABLE usage_periods (
    app_id         TEXT NOT NULL,
    step           INTEGER NOT NULL CHECK (step IN (60, 3600)),
    t              INTEGER NOT NULL,
    conns          INTEGER NOT NULL,
    peak           INTEGER NOT NULL,
    new_conns      INTEGER NOT NULL,
    publishes      INTEGER NOT NULL,
    due            INTEGER NOT NULL,
    delivered      INTEGER NOT NULL,
    peer_delivered INTEGER NOT NULL,
    peer_stored    INTEGER NOT NULL,
    peer_failed    INTEGER NOT NULL,
    history        INTEGER NOT NULL,
    disconnects    TEXT NOT NULL,
    errors         TEXT NOT NULL,
    sdks           TEXT NOT NULL,
    hist           TEXT NOT NULL,
    PRIMARY KEY (app_id, step, t)
) WITHOUT ROWID;
CREATE INDEX usage_periods_t ON usage_periods(step, t);
