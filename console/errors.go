package console

import "errors"

// Sentinel errors; the portal maps them to statuses (portal/errors.go).
var (
	// ErrNotFound: no such team, app or invitation, or the actor may not
	// know it exists.
	ErrNotFound = errors.New("console: not found")
	// ErrForbidden: the actor is a member but their role does not allow
	// the action.
	ErrForbidden = errors.New("console: forbidden")
	// ErrUnauthorized: no signed-in actor.
	ErrUnauthorized = errors.New("console: sign-in required")
	// ErrInvalid: a bad name, role, address or duration.
	ErrInvalid = errors.New("console: invalid")
	// ErrConflict: the change would break an invariant (the last owner
	// leaving, an already member invited again).
	ErrConflict = errors.New("console: conflict")
)

// Error is a sentinel with the message ID the reader should see.
type Error struct {
	kind  error
	msgID string
}

func (e *Error) Error() string     { return e.kind.Error() + ": " + e.msgID }
func (e *Error) Unwrap() error     { return e.kind }
func (e *Error) MessageID() string { return e.msgID }

func userErr(kind error, msgID string) error { return &Error{kind: kind, msgID: msgID} }
