-- Attached diagnostics: a snapshot of the ticket's app over the hour
-- before the ticket was opened (usage and health figures), as JSON.
CREATE TABLE support_diagnostics (
    ticket_id INTEGER PRIMARY KEY REFERENCES support_tickets(id) ON DELETE CASCADE,
    app_id    TEXT NOT NULL,
    taken_at  INTEGER NOT NULL,  -- Unix ms
    figures   TEXT NOT NULL      -- Diagnostics as JSON
);
