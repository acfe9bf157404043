CREATE TABLE content_feedback (
	lang       TEXT NOT NULL,
	path       TEXT NOT NULL,
	visitor    TEXT NOT NULL,
	helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	updated_at TEXT NOT NULL,
	PRIMARY KEY (lang, path, visitor)
);
