-- Support plans and their first-response targets per priority.
CREATE TABLE support_plans (
    id          TEXT PRIMARY KEY,          -- community, standard, premium, or an admin's
    name_en     TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    tickets     INTEGER NOT NULL,          -- 0: forum only
    urgent      INTEGER NOT NULL,          -- customers may choose urgent
    engineer_id INTEGER NOT NULL DEFAULT 0, -- the named support engineer (forum user), 0: none
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE support_policies (
    plan_id     TEXT NOT NULL REFERENCES support_plans(id) ON DELETE CASCADE,
    priority    TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_ms    INTEGER NOT NULL,          -- 0: no target
    first_basis TEXT NOT NULL CHECK (first_basis IN ('business', 'calendar')),
    PRIMARY KEY (plan_id, priority)
) WITHOUT ROWID;

-- The plan of each team (console teams; no row: Community).
CREATE TABLE support_team_plans (
    team_id     INTEGER PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES support_plans(id),
    assigned_by INTEGER NOT NULL,          -- 0: the admin command
    assigned_at INTEGER NOT NULL
);

CREATE TABLE support_tickets (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL,
    opened_by    INTEGER NOT NULL,
    plan_id      TEXT NOT NULL,            -- the team's plan when it was opened
    kind         TEXT NOT NULL CHECK (kind IN ('support', 'presales')),
    subject      TEXT NOT NULL,
    priority     TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    impact       TEXT NOT NULL DEFAULT '',
    app_id       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('new', 'open', 'waiting', 'solved', 'closed')),
    assignee_id  INTEGER NOT NULL DEFAULT 0,
    line         INTEGER NOT NULL DEFAULT 1, -- 2: escalated to the second line
    escalated    INTEGER NOT NULL DEFAULT 0, -- the customer's one escalation is used
    follow_up_of INTEGER REFERENCES support_tickets(id),
    first_ms     INTEGER NOT NULL,          -- the first-response target (0: none)
    first_basis  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    solved_at    INTEGER,
    responded_at INTEGER,                   -- staff's first public reply
    -- The first-response clock as last evaluated (sla.Status), for the queue.
    clock_state  TEXT NOT NULL DEFAULT 'on_track',
    used_ms      INTEGER NOT NULL DEFAULT 0,
    business_ms  INTEGER NOT NULL DEFAULT 0,
    due_at       INTEGER,
    at_risk_at   INTEGER
);
CREATE INDEX support_tickets_team ON support_tickets (team_id, id);
CREATE INDEX support_tickets_created ON support_tickets (created_at);

CREATE TABLE support_messages (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES support_tickets(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL,            -- 0: the system
    staff      INTEGER NOT NULL,            -- written by staff
    note       INTEGER NOT NULL DEFAULT 0,  -- an internal staff note
    body       TEXT NOT NULL,               -- Markdown as written
    html       TEXT NOT NULL,               -- sanitized, as the forum renders posts
    created_at INTEGER NOT NULL
);
CREATE INDEX support_messages_ticket ON support_messages (ticket_id, id);

-- Waiting on the customer: the clock is paused from from_ms to to_ms.
CREATE TABLE support_pauses (
    ticket_id INTEGER NOT NULL REFERENCES support_tickets(id) ON DELETE CASCADE,
    from_ms   INTEGER NOT NULL,
    to_ms     INTEGER                        -- NULL: still waiting
);
CREATE INDEX support_pauses_ticket ON support_pauses (ticket_id);
