-- Forum schema. Every timestamp is INTEGER Unix milliseconds (UTC), so that
-- the SLA clock can order events exactly and compare them cheaply.

CREATE TABLE forum_users (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
	username        TEXT NOT NULL UNIQUE COLLATE NOCASE, -- the @mention handle
	name            TEXT NOT NULL,
	password_hash   TEXT NOT NULL,
	role            TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member','staff','moderator','admin')),
	lang            TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en','zh')),
	bio             TEXT NOT NULL DEFAULT '',
	suspended_until INTEGER, -- NULL: not suspended
	suspend_reason  TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);

-- Every role change, including the initial role, so that "the role a user
-- held at time T" can be answered for any T after sign-up.
CREATE TABLE forum_role_events (
	id       INTEGER PRIMARY KEY,
	user_id  INTEGER NOT NULL REFERENCES forum_users(id),
	old_role TEXT NOT NULL DEFAULT '',
	new_role TEXT NOT NULL,
	actor_id INTEGER REFERENCES forum_users(id), -- NULL: the system (sign-up, CLI)
	at       INTEGER NOT NULL
);
CREATE INDEX forum_role_events_user ON forum_role_events(user_id, at);

CREATE TABLE forum_sessions (
	id_hash    BLOB PRIMARY KEY, -- SHA-256 of the cookie value; the value itself is never stored
	user_id    INTEGER NOT NULL REFERENCES forum_users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX forum_sessions_user ON forum_sessions(user_id);

CREATE TABLE forum_password_resets (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES forum_users(id) ON DELETE CASCADE,
	created_by INTEGER REFERENCES forum_users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) WITHOUT ROWID;

CREATE TABLE forum_categories (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE,
	name_en        TEXT NOT NULL,
	name_zh        TEXT NOT NULL,
	description_en TEXT NOT NULL DEFAULT '',
	description_zh TEXT NOT NULL DEFAULT '',
	position       INTEGER NOT NULL DEFAULT 0,
	staff_only     INTEGER NOT NULL DEFAULT 0, -- only staff, moderators and admins may start topics
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);

CREATE TABLE forum_topics (
	id               INTEGER PRIMARY KEY,
	category_id      INTEGER NOT NULL REFERENCES forum_categories(id),
	author_id        INTEGER NOT NULL REFERENCES forum_users(id),
	author_role      TEXT NOT NULL,
	title            TEXT NOT NULL,
	lang             TEXT NOT NULL CHECK (lang IN ('en','zh')),
	priority         TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal','high','urgent')),
	docs_path        TEXT NOT NULL DEFAULT '',
	reply_count      INTEGER NOT NULL DEFAULT 0, -- visible replies (not deleted, not hidden)
	score            INTEGER NOT NULL DEFAULT 0, -- votes on the question
	accepted_post_id INTEGER,
	solved_at        INTEGER,
	close_reason     TEXT NOT NULL DEFAULT '' CHECK (close_reason IN ('','resolved','outdated','duplicate')),
	closed_at        INTEGER,
	duplicate_of     INTEGER REFERENCES forum_topics(id),
	locked           INTEGER NOT NULL DEFAULT 0,
	pinned           INTEGER NOT NULL DEFAULT 0,
	waiting_on_asker INTEGER NOT NULL DEFAULT 0,
	assignee_id      INTEGER REFERENCES forum_users(id),
	hidden           INTEGER NOT NULL DEFAULT 0, -- the question is hidden pending flag review
	created_at       INTEGER NOT NULL,
	bumped_at        INTEGER NOT NULL,          -- last visible activity, for "latest"
	last_post_id     INTEGER,
	deleted_at       INTEGER
);
CREATE INDEX forum_topics_latest   ON forum_topics(pinned DESC, bumped_at DESC) WHERE deleted_at IS NULL AND hidden = 0;
CREATE INDEX forum_topics_category ON forum_topics(category_id, bumped_at DESC);
CREATE INDEX forum_topics_author   ON forum_topics(author_id, created_at);
CREATE INDEX forum_topics_docs     ON forum_topics(docs_path) WHERE docs_path <> '';

CREATE TABLE forum_topic_tags (
	topic_id INTEGER NOT NULL REFERENCES forum_topics(id),
	tag      TEXT NOT NULL,
	PRIMARY KEY (topic_id, tag)
) WITHOUT ROWID;
CREATE INDEX forum_topic_tags_tag ON forum_topic_tags(tag, topic_id);

CREATE TABLE forum_posts (
	id          INTEGER PRIMARY KEY,
	topic_id    INTEGER NOT NULL REFERENCES forum_topics(id),
	number      INTEGER NOT NULL, -- 1 is the question
	author_id   INTEGER NOT NULL REFERENCES forum_users(id),
	author_role TEXT NOT NULL,    -- the author's role when the post was written
	source      TEXT NOT NULL,    -- Markdown as typed
	html        TEXT NOT NULL,    -- rendered and sanitized once, at write time
	text        TEXT NOT NULL,    -- plain text of html, for search
	score       INTEGER NOT NULL DEFAULT 0,
	revision    INTEGER NOT NULL DEFAULT 1,
	hidden      INTEGER NOT NULL DEFAULT 0,
	hidden_at   INTEGER,
	created_at  INTEGER NOT NULL,
	edited_at   INTEGER,
	deleted_at  INTEGER,
	deleted_by  INTEGER REFERENCES forum_users(id),
	UNIQUE (topic_id, number)
);
CREATE INDEX forum_posts_author ON forum_posts(author_id, created_at);

-- The full history of every post, revision 1 included; visible to everyone.
CREATE TABLE forum_revisions (
	post_id     INTEGER NOT NULL REFERENCES forum_posts(id),
	revision    INTEGER NOT NULL,
	title       TEXT NOT NULL DEFAULT '', -- the topic title at this revision (first posts only)
	source      TEXT NOT NULL,
	editor_id   INTEGER NOT NULL REFERENCES forum_users(id),
	editor_role TEXT NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (post_id, revision)
) WITHOUT ROWID;

-- Up-votes only (see vote.go): one row per user and post.
CREATE TABLE forum_votes (
	post_id INTEGER NOT NULL REFERENCES forum_posts(id),
	user_id INTEGER NOT NULL REFERENCES forum_users(id),
	at      INTEGER NOT NULL,
	PRIMARY KEY (post_id, user_id)
) WITHOUT ROWID;

-- Everything that happens to a topic, in order, with the actor's role at
-- that moment: the input of the SLA clock.
CREATE TABLE forum_events (
	id         INTEGER PRIMARY KEY,
	topic_id   INTEGER NOT NULL REFERENCES forum_topics(id),
	post_id    INTEGER,
	kind       TEXT NOT NULL,
	actor_id   INTEGER REFERENCES forum_users(id),
	actor_role TEXT NOT NULL DEFAULT '',
	at         INTEGER NOT NULL,
	data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX forum_events_topic ON forum_events(topic_id, at, id);
CREATE INDEX forum_events_at    ON forum_events(at, id);

CREATE TABLE forum_watches (
	topic_id INTEGER NOT NULL REFERENCES forum_topics(id),
	user_id  INTEGER NOT NULL REFERENCES forum_users(id),
	at       INTEGER NOT NULL,
	PRIMARY KEY (topic_id, user_id)
) WITHOUT ROWID;

CREATE TABLE forum_notifications (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES forum_users(id),
	kind       TEXT NOT NULL,
	topic_id   INTEGER NOT NULL REFERENCES forum_topics(id),
	post_id    INTEGER,
	actor_id   INTEGER REFERENCES forum_users(id),
	created_at INTEGER NOT NULL,
	read_at    INTEGER
);
CREATE INDEX forum_notifications_user ON forum_notifications(user_id, id DESC);
CREATE INDEX forum_notifications_unread ON forum_notifications(user_id) WHERE read_at IS NULL;

CREATE TABLE forum_flags (
	id          INTEGER PRIMARY KEY,
	post_id     INTEGER NOT NULL REFERENCES forum_posts(id),
	user_id     INTEGER NOT NULL REFERENCES forum_users(id),
	reason      TEXT NOT NULL CHECK (reason IN ('spam','inappropriate','off_topic','other')),
	note        TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER,
	resolved_by INTEGER REFERENCES forum_users(id),
	verdict     TEXT NOT NULL DEFAULT '' -- '', 'removed' (flags upheld), 'kept' (flags dismissed)
);
CREATE UNIQUE INDEX forum_flags_open ON forum_flags(post_id, user_id) WHERE resolved_at IS NULL;
CREATE INDEX forum_flags_queue ON forum_flags(resolved_at, post_id);

-- Search: one row per topic (rowid = topic id) holding the title and the
-- plain text of every visible post. Trigram tokens serve queries of three
-- or more characters; shorter ones (most Chinese words) fall back to LIKE.
CREATE VIRTUAL TABLE forum_search USING fts5(title, body, tokenize = 'trigram');
