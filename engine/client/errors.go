package client

import (
	"errors"
	"fmt"
)

// Error is an error reported by the server: a protocol error code and a
// message. Compare with the sentinels below using errors.Is.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("switchboard: %s (code %d)", e.Message, e.Code) }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Sentinels for the protocol error codes (engine/PROTOCOL.md section 9).
var (
	ErrInternal             = &Error{Code: 100, Message: "internal"}
	ErrBadRequest           = &Error{Code: 101, Message: "bad_request"}
	ErrUnknownOp            = &Error{Code: 102, Message: "unknown_op"}
	ErrBinaryFrame          = &Error{Code: 103, Message: "binary_frame"}
	ErrNotConnected         = &Error{Code: 104, Message: "not_connected"}
	ErrAlreadyConnected     = &Error{Code: 105, Message: "already_connected"}
	ErrTokenMalformed       = &Error{Code: 110, Message: "token_malformed"}
	ErrTokenExpired         = &Error{Code: 111, Message: "token_expired"}
	ErrTokenSignature       = &Error{Code: 112, Message: "token_signature"}
	ErrAppNotFound          = &Error{Code: 113, Message: "app_not_found"}
	ErrWrongApp             = &Error{Code: 114, Message: "wrong_app"}
	ErrWrongUser            = &Error{Code: 115, Message: "wrong_user"}
	ErrChannelInvalid       = &Error{Code: 120, Message: "channel_invalid"}
	ErrPermissionDenied     = &Error{Code: 121, Message: "permission_denied"}
	ErrAlreadySubscribed    = &Error{Code: 122, Message: "already_subscribed"}
	ErrNotSubscribed        = &Error{Code: 123, Message: "not_subscribed"}
	ErrMessageTooLarge      = &Error{Code: 130, Message: "message_too_large"}
	ErrRateLimited          = &Error{Code: 131, Message: "rate_limited"}
	ErrTooManySubscriptions = &Error{Code: 132, Message: "too_many_subscriptions"}
	ErrTooManyConnections   = &Error{Code: 133, Message: "too_many_connections"}
	ErrUserInvalid          = &Error{Code: 140, Message: "user_invalid"}
	ErrStateInvalid         = &Error{Code: 141, Message: "state_invalid"}
	ErrShuttingDown         = &Error{Code: 150, Message: "shutting_down"}
	ErrUnavailable          = &Error{Code: 151, Message: "unavailable"}
)

// Client-side errors.
var (
	// ErrClosed is returned by calls on a closed Client.
	ErrClosed = errors.New("switchboard: client closed")
	// ErrDisconnected is returned when the connection dropped before the
	// server answered; the request may or may not have been applied.
	ErrDisconnected = errors.New("switchboard: disconnected before the reply")
)

// CloseError is the reason the server closed the WebSocket, with one of the
// documented close codes (4001 slow consumer, 4004 app deleted, ...).
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("switchboard: connection closed by server: %d %s", e.Code, e.Reason)
}

// Close codes (engine/PROTOCOL.md section 10).
const (
	CloseSlowConsumer   = 4001
	CloseNoPong         = 4002
	CloseConnectTimeout = 4003
	CloseAppDeleted     = 4004
	CloseTokenExpired   = 4005
	CloseShutdown       = 4006
	// CloseUserDisconnected: the app's backend disconnected the user
	// (server API); reconnecting needs a fresh token from the backend.
	CloseUserDisconnected = 4007
	CloseProtocolError    = 1002 // a frame broke RFC 6455 (a client bug)
	CloseFrameTooLarge    = 1009 // a frame over the server's frame limit
)

// permanent reports whether err means reconnecting cannot help.
func permanent(err error) bool {
	var ce *CloseError
	if errors.As(err, &ce) && ce.Code == CloseAppDeleted {
		return true
	}
	for _, e := range []error{ErrTokenMalformed, ErrTokenSignature, ErrAppNotFound, ErrWrongApp} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
