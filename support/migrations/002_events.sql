-- Event support: a Premium team's launch or live event. During its window
-- the team's urgent tickets get the shorter event target.
CREATE TABLE support_events (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    starts_at   INTEGER NOT NULL, -- Unix ms
    ends_at     INTEGER NOT NULL,
    peak_conns  INTEGER NOT NULL, -- expected peak concurrent connections
    peak_msgs   INTEGER NOT NULL, -- expected peak messages per second
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX support_events_team ON support_events (team_id, ends_at);
CREATE INDEX support_events_ends ON support_events (ends_at);
