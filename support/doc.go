// Package support is private technical support: support plans, their
// response targets per priority on the portal's business-time clock (package
// sla, the same clock and calendars as the forum), and tickets that only
// the opening team and staff can see.
//
// A team has one plan (Community when none is assigned). A plan says
// whether its teams may open tickets, whether they may choose urgent, who
// its named support engineer is (the default assignee), and, per priority,
// the first-response target. Targets are copied onto a ticket when it is
// opened, so editing a plan never rewrites a ticket's history.
//
// The clock of a ticket's first response runs from its opening to staff's
// first public reply (a staff note is not a response), paused while the
// ticket waits on the customer. When a customer escalates (once per ticket:
// priority up one level), the target of the new priority applies from the
// ticket's opening, exactly as when staff raise a forum topic's priority:
// an escalated ticket may be breached at once, and is sorted first.
//
// Privacy: every read and write checks Can; anyone who is neither a member
// of the ticket's team nor staff gets ErrNotFound, the same answer as for
// a ticket that does not exist. Staff notes are never shown to customers.
package support
