-- Teams: personal_of is the user whose personal team this is (NULL for a
-- shared team); a user has at most one.
CREATE TABLE console_teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    personal_of INTEGER UNIQUE,
    created_at  INTEGER NOT NULL -- Unix ms
);

-- Members of a team with their role. user_id is a forum account's ID.
CREATE TABLE console_members (
    team_id    INTEGER NOT NULL REFERENCES console_teams(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'developer', 'viewer')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX console_members_user ON console_members(user_id);

-- Pending invitations: to an email address (matched when that person
-- signs in) or to a known user (user_id), never both.
CREATE TABLE console_invites (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES console_teams(id) ON DELETE CASCADE,
    email      TEXT NOT NULL DEFAULT '',
    user_id    INTEGER NOT NULL DEFAULT 0,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'developer', 'viewer')),
    invited_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((email = '') != (user_id = 0))
);
CREATE INDEX console_invites_team ON console_invites(team_id);
CREATE INDEX console_invites_email ON console_invites(email) WHERE email != '';
CREATE INDEX console_invites_user ON console_invites(user_id) WHERE user_id != 0;

-- Which team owns each engine app. delete_at (Unix ms, 0 = not
-- scheduled) is when a scheduled deletion happens; until then the owner
-- can cancel it and the app keeps working.
CREATE TABLE console_apps (
    app_id     TEXT PRIMARY KEY REFERENCES engine_apps(id) ON DELETE CASCADE,
    team_id    INTEGER NOT NULL REFERENCES console_teams(id),
    env        TEXT NOT NULL CHECK (env IN ('production', 'development')),
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    delete_at  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX console_apps_team ON console_apps(team_id);
CREATE INDEX console_apps_delete ON console_apps(delete_at) WHERE delete_at != 0;
