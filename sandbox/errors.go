package sandbox

import (
	"errors"
	"time"
)

// Sentinel errors. portal maps each to an HTTP status once.
var (
	// ErrNotFound: no such sandbox app or report (or it expired).
	ErrNotFound = errors.New("sandbox: not found")
	// ErrInvalid: a parameter is out of its documented range.
	ErrInvalid = errors.New("sandbox: invalid parameter")
	// ErrQuota: a quota is used up; the error says when to retry.
	ErrQuota = errors.New("sandbox: quota exceeded")
	// ErrBusy: a load test is already running for this app.
	ErrBusy = errors.New("sandbox: load test already running")
)

// Error wraps a sentinel with the i18n message ID the reader sees.
type Error struct {
	Kind error  // one of the sentinels
	ID   string // i18n message ID, e.g. "sandbox.error.clients"
	Msg  string // for logs
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Msg }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// MessageID is the i18n message shown to the reader.
func (e *Error) MessageID() string { return e.ID }

// QuotaError is an ErrQuota with the time until the quota frees up.
type QuotaError struct {
	ID    string // i18n message ID
	Retry time.Duration
	Msg   string
}

func (e *QuotaError) Error() string { return ErrQuota.Error() + ": " + e.Msg }

// Unwrap returns ErrQuota.
func (e *QuotaError) Unwrap() error { return ErrQuota }

// MessageID is the i18n message shown to the reader.
func (e *QuotaError) MessageID() string { return e.ID }

// RetryAfter is how long until the quota frees up.
func (e *QuotaError) RetryAfter() time.Duration { return e.Retry }

func invalid(id, msg string) error { return &Error{Kind: ErrInvalid, ID: id, Msg: msg} }

func quota(id string, retry time.Duration, msg string) error {
	retry = (retry + time.Second - 1).Truncate(time.Second) // whole seconds, rounded up
	if retry < time.Second {
		retry = time.Second
	}
	return &QuotaError{ID: id, Retry: retry, Msg: msg}
}
