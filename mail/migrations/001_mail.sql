-- The outbox: one row per message until it is sent (kept, state 'sent', for
-- the admin page and pruned after 30 days) or has failed for good.
CREATE TABLE mail_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,              -- reset, verify, forum_mention, ...
    recipient  TEXT NOT NULL,
    lang       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,              -- the plain-text part, for admins
    raw        BLOB NOT NULL,              -- the whole RFC 5322 message, built once
    created_at INTEGER NOT NULL,           -- Unix milliseconds
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,           -- Unix milliseconds of the next attempt
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    last_error TEXT NOT NULL DEFAULT '',
    sent_at    INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_at, id);
