package forum

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error returned by the Store that a user can cause
// wraps exactly one of them, so that portal maps them to HTTP statuses with
// errors.Is and shows the localized message from the wrapping *Error.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrRateLimited  = errors.New("rate limited")
	ErrUnauthorized = errors.New("unauthorized")
)

// Error is a user-facing forum error. Kind is one of the sentinel errors
// above (errors.Is(err, ErrInvalid) works through it); MessageID names a
// message in locales/forum.*.toml and Data fills its template.
//
// When Data has a "Count" key, it is the plural count for the message.
type Error struct {
	Kind       error
	MessageID  string
	Field      string         // the offending input field, for ErrInvalid
	Data       map[string]any // template data for MessageID
	RetryAfter time.Duration  // for ErrRateLimited: when the action is allowed again
}

func (e *Error) Error() string {
	s := "forum: " + e.Kind.Error() + ": " + e.MessageID
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// AsError returns the *Error inside err, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// RetryAfter returns how long the caller must wait when err is an
// ErrRateLimited error, and 0 otherwise.
func RetryAfter(err error) time.Duration {
	if e := AsError(err); e != nil && errors.Is(e.Kind, ErrRateLimited) {
		return e.RetryAfter
	}
	return 0
}

func invalid(field, msgID string, data map[string]any) *Error {
	return &Error{Kind: ErrInvalid, Field: field, MessageID: msgID, Data: data}
}

func notFound(msgID string) *Error { return &Error{Kind: ErrNotFound, MessageID: msgID} }

func forbidden(msgID string) *Error { return &Error{Kind: ErrForbidden, MessageID: msgID} }

func conflict(msgID string) *Error { return &Error{Kind: ErrConflict, MessageID: msgID} }

// rateLimited builds an ErrRateLimited error whose message data carries the
// wait in Seconds and Minutes, both rounded up; Count (the plural count) is
// Minutes when the message speaks in minutes, Seconds otherwise.
func rateLimited(msgID string, wait time.Duration, inMinutes bool, data map[string]any) *Error {
	if wait < time.Second {
		wait = time.Second
	}
	secs := int((wait + time.Second - 1) / time.Second)
	mins := int((wait + time.Minute - 1) / time.Minute)
	d := map[string]any{"Seconds": secs, "Minutes": mins, "Count": secs}
	if inMinutes {
		d["Count"] = mins
	}
	for k, v := range data {
		d[k] = v
	}
	return &Error{Kind: ErrRateLimited, MessageID: msgID, RetryAfter: wait, Data: d}
}
