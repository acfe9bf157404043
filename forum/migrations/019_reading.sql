-- What readers did: how often each topic was viewed, when each signed-in
-- reader last visited the forum, and when they last read each topic (for
-- "new since your last visit").
ALTER TABLE forum_topics ADD COLUMN views INTEGER NOT NULL DEFAULT 0;

CREATE TABLE forum_visits (
	user_id           INTEGER PRIMARY KEY REFERENCES forum_users(id),
	last_seen_at      INTEGER NOT NULL, -- the last request, to within a minute
	previous_visit_at INTEGER NOT NULL  -- the end of the visit before this one
);

CREATE TABLE forum_topic_reads (
	user_id  INTEGER NOT NULL REFERENCES forum_users(id),
	topic_id INTEGER NOT NULL REFERENCES forum_topics(id),
	read_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, topic_id)
) WITHOUT ROWID;
