package status

import (
	"errors"
	"fmt"
)

// Sentinel errors; check with errors.Is.
var (
	// ErrNotFound: no incident with that ID.
	ErrNotFound = errors.New("status: not found")
	// ErrInvalid: bad input. The error is also a *ValidationError naming
	// the field.
	ErrInvalid = errors.New("status: invalid input")
)

// ValidationError says which input field is wrong. It wraps ErrInvalid.
type ValidationError struct {
	Field  string // "title", "severity", "components", "started_at", "status", "message", "author", "updates", "limit"
	Reason string // English, for logs
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("status: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// MessageID is the localized message the portal shows, "status.invalid_<field>".
func (e *ValidationError) MessageID() string { return "status.invalid_" + e.Field }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
