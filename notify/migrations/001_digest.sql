-- Who wants a daily digest instead of one email per notification, and
-- the digest's pending entries.
CREATE TABLE notify_prefs (
    user_id        INTEGER PRIMARY KEY,
    digest         INTEGER NOT NULL,  -- 1: one email a day
    last_digest_at INTEGER NOT NULL   -- Unix ms: the last digest, or when digests were chosen
);
CREATE TABLE notify_digest (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL,         -- forum_mention or forum_reply
    topic      TEXT NOT NULL,
    actor      TEXT NOT NULL,
    post_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notify_digest_user ON notify_digest (user_id, id);
