package forum

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error a user can cause wraps exactly one of
// them, so that portal maps them to HTTP statuses with errors.Is, and
// shows the localized message of the wrapping *Error.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrRateLimited  = errors.New("rate limited")
	ErrUnauthorized = errors.New("unauthorized")
)

// Error is a user-facing forum error. Kind is one of the sentinel errors
// above (errors.Is(err, ErrInvalid) works through Unwrap); ID names a
// message in locales/forum.*.toml and Data fills its template.
//
// Portal reads it through methods: MessageID, MessageData, PluralCount,
// RetryAfter and Field.
type Error struct {
	Kind      error
	ID        string         // message ID, e.g. "forum.error.title_too_short"
	FieldName string         // the offending input field, for ErrInvalid
	Data      map[string]any // template data for the message
	Wait      time.Duration  // for ErrRateLimited: when the action is allowed again
}

func (e *Error) Error() string {
	s := "forum: " + e.Kind.Error() + ": " + e.ID
	if e.FieldName != "" {
		s += " (field " + e.FieldName + ")"
	}
	if e.Wait > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.Wait)
	}
	return s
}

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// MessageID is the go-i18n message ID of the error's text.
func (e *Error) MessageID() string { return e.ID }

// MessageData is the template data of the message (limits such as Min,
// Max; waits as Seconds and Minutes).
func (e *Error) MessageData() map[string]any { return e.Data }

// PluralCount is the number that selects the message's plural form, or
// nil.
func (e *Error) PluralCount() any { return e.Data["Count"] }

// RetryAfter is how long to wait before trying again (rate limits only).
func (e *Error) RetryAfter() time.Duration { return e.Wait }

// Field is the name of the input field at fault, if any.
func (e *Error) Field() string { return e.FieldName }

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
		return e.Wait
	}
	return 0
}

func invalid(field, msgID string, data map[string]any) *Error {
	return &Error{Kind: ErrInvalid, FieldName: field, ID: msgID, Data: data}
}

func notFound(msgID string) *Error { return &Error{Kind: ErrNotFound, ID: msgID} }

func forbidden(msgID string) *Error { return &Error{Kind: ErrForbidden, ID: msgID} }

func conflict(msgID string) *Error { return &Error{Kind: ErrConflict, ID: msgID} }

func unauthorized(msgID string) *Error { return &Error{Kind: ErrUnauthorized, ID: msgID} }

// rateLimited builds an ErrRateLimited error whose message data carries the
// wait as Wait (the time.Duration, which the portal writes for people) and
// in Seconds and Minutes, both rounded up; Count (the plural count) is
// Minutes when the limit is counted in minutes, Seconds otherwise.
func rateLimited(msgID string, wait time.Duration, inMinutes bool, data map[string]any) *Error {
	if wait < time.Second {
		wait = time.Second
	}
	secs := int((wait + time.Second - 1) / time.Second)
	mins := int((wait + time.Minute - 1) / time.Minute)
	d := map[string]any{"Seconds": secs, "Minutes": mins, "Count": secs, "Wait": wait}
	if inMinutes {
		d["Count"] = mins
	}
	for k, v := range data {
		d[k] = v
	}
	return &Error{Kind: ErrRateLimited, ID: msgID, Wait: wait, Data: d}
}
