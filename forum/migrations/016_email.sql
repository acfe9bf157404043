-- Email (issue 16): address verification, notification emails and their
-- unsubscribe token. Accounts from before verification existed count as
-- verified: they were created by admins, the seed or an earlier sign-up.
ALTER TABLE forum_users ADD COLUMN email_verified_at INTEGER;
UPDATE forum_users SET email_verified_at = created_at;
ALTER TABLE forum_users ADD COLUMN email_notifications INTEGER NOT NULL DEFAULT 1;
ALTER TABLE forum_users ADD COLUMN mail_token TEXT; -- the unsubscribe link's token, made on first use
CREATE UNIQUE INDEX forum_users_mail_token ON forum_users (mail_token) WHERE mail_token IS NOT NULL;

CREATE TABLE forum_email_verifications (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES forum_users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Notifications not yet considered for email: the mailer's work list.
ALTER TABLE forum_notifications ADD COLUMN emailed INTEGER NOT NULL DEFAULT 1;
