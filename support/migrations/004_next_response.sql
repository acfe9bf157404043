-- Next-response targets: after staff's first response, each customer
-- message that staff have not answered yet starts a next-response clock
-- (see package doc). Per plan and priority, and copied onto each ticket.
ALTER TABLE support_policies ADD COLUMN next_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE support_policies ADD COLUMN next_basis TEXT NOT NULL DEFAULT 'business';
UPDATE support_policies SET next_ms = first_ms, next_basis = first_basis;
ALTER TABLE support_tickets ADD COLUMN next_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE support_tickets ADD COLUMN next_basis TEXT NOT NULL DEFAULT 'business';
-- The customer's oldest message after staff's last public reply, once the
-- first response is given; NULL: no next response is awaited.
ALTER TABLE support_tickets ADD COLUMN awaiting_since INTEGER;
UPDATE support_tickets SET next_ms = first_ms, next_basis = first_basis;
