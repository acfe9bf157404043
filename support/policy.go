package support

// Action is something done to a ticket.
type Action string

const (
	ActionOpen       Action = "open"        // open a ticket for a team (Resource: member, plan)
	ActionView       Action = "view"        // read the ticket and its public messages
	ActionReply      Action = "reply"       // a public message
	ActionSolve      Action = "solve"       // mark solved
	ActionEscalate   Action = "escalate"    // the customer's one escalation: priority up one level
	ActionNote       Action = "note"        // read and write internal staff notes
	ActionWait       Action = "wait"        // waiting on the customer (the clock pauses)
	ActionAssign     Action = "assign"      // claim, reassign or unclaim
	ActionSecondLine Action = "second_line" // escalate to the second line
	ActionClose      Action = "close"
)

// Actions lists every action, for the authorization matrix test.
var Actions = []Action{ActionOpen, ActionView, ActionReply, ActionSolve, ActionEscalate, ActionNote, ActionWait, ActionAssign, ActionSecondLine, ActionClose}

// Resource is what the policy needs to know about the ticket (or, for
// ActionOpen, the team) acted on.
type Resource struct {
	Member    bool // the actor is a member of the ticket's team
	Tickets   bool // ActionOpen: the team's plan includes tickets (or it is a pre-sales consultation)
	Closed    bool // the ticket is closed
	Escalated bool // the customer's escalation is used
	Top       bool // the priority cannot go higher on the ticket's plan
}

// Can is support's single authorization policy. It returns nil, or the
// error to answer: ErrNotFound for anyone who may not see the ticket (so a
// private ticket and a missing one look the same), ErrUnauthorized for an
// anonymous visitor opening a ticket, ErrForbidden for the rest.
func Can(a Actor, act Action, r Resource) error {
	if act == ActionOpen {
		switch {
		case a.UserID == 0:
			return ErrUnauthorized
		case a.Banned || !r.Member:
			return ErrForbidden
		case !a.Verified:
			return &Error{Kind: ErrForbidden, Field: "email", ID: "tickets.error.unverified"}
		case !r.Tickets:
			return &Error{Kind: ErrForbidden, Field: "plan", ID: "tickets.error.plan_no_tickets"}
		}
		return nil
	}
	if a.UserID == 0 || !r.Member && !a.Staff {
		return ErrNotFound
	}
	if a.Banned {
		return ErrForbidden
	}
	switch act {
	case ActionView:
		return nil
	case ActionReply, ActionSolve:
		if r.Closed && a.Staff && !r.Member {
			return &Error{Kind: ErrForbidden, Field: "state", ID: "tickets.error.closed"}
		}
		return nil
	case ActionEscalate:
		switch {
		case !r.Member:
			return ErrForbidden // staff use the second line
		case r.Escalated:
			return &Error{Kind: ErrForbidden, Field: "escalate", ID: "tickets.error.escalated_once"}
		case r.Top || r.Closed:
			return &Error{Kind: ErrForbidden, Field: "escalate", ID: "tickets.error.escalate_top"}
		}
		return nil
	case ActionNote, ActionWait, ActionAssign, ActionSecondLine, ActionClose:
		if !a.Staff {
			return ErrForbidden
		}
		return nil
	}
	return ErrForbidden
}
