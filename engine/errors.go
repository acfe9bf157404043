package engine

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a protocol error code, sent to clients as error.code in a reply
// or an "error" push. The numbers are part of the wire protocol (see
// PROTOCOL.md) and never change meaning.
type Code int

// Protocol error codes.
const (
	CodeInternal        Code = 100 // server-side failure; retry later
	CodeBadRequest      Code = 101 // frame is not valid JSON or a field is missing/invalid
	CodeUnknownOp       Code = 102 // op is not one of the documented operations
	CodeBinaryFrame     Code = 103 // binary WebSocket frame; only text frames are accepted
	CodeNotConnected    Code = 104 // an op other than connect before a successful connect
	CodeAlreadyConnect  Code = 105 // connect sent twice on one WebSocket
	CodeTokenMalformed  Code = 110 // token is not a well-formed HS256 JWT with the required claims
	CodeTokenExpired    Code = 111 // token exp is in the past
	CodeTokenSignature  Code = 112 // signature does not verify with the app certificate (forged)
	CodeAppNotFound     Code = 113 // app claim names no existing app
	CodeWrongApp        Code = 114 // token is for another app than the one asked for, or refresh changed app
	CodeWrongUser       Code = 115 // refresh token has a different sub
	CodeAPIKeyInvalid   Code = 116 // server API: Authorization is not "Bearer <api_key>" of a live key
	CodeChannelInvalid  Code = 120 // channel name empty, longer than 64 bytes or outside the charset
	CodePermission      Code = 121 // token permissions do not allow this channel
	CodeAlreadySubbed   Code = 122 // subscribe to a channel this connection already holds
	CodeNotSubscribed   Code = 123 // op requires a subscription the connection does not hold
	CodeMessageTooLarge Code = 130 // data (or state) larger than the configured limit
	CodeRateLimited     Code = 131 // publish/peer rate exceeded (token bucket)
	CodeTooManySubs     Code = 132 // subscriptions per connection limit reached
	CodeTooManyConns    Code = 133 // connections per app limit reached
	CodeUserInvalid     Code = 140 // peer target / user id empty or too long
	CodeStateInvalid    Code = 141 // presence state has too many keys or non-string values
	CodeShuttingDown    Code = 150 // server is shutting down; reconnect shortly
	CodeUnavailable     Code = 151 // a cluster node cannot reach NATS JetStream; nothing was stored, retry later
)

// codeTable is the one table of codes: each code's stable name and the
// HTTP status the server API answers it with.
var codeTable = map[Code]struct {
	name   string
	status int
}{
	CodeInternal:        {"internal", http.StatusInternalServerError},
	CodeBadRequest:      {"bad_request", http.StatusBadRequest},
	CodeUnknownOp:       {"unknown_op", http.StatusNotFound},
	CodeBinaryFrame:     {"binary_frame", http.StatusBadRequest},
	CodeNotConnected:    {"not_connected", http.StatusBadRequest},
	CodeAlreadyConnect:  {"already_connected", http.StatusBadRequest},
	CodeTokenMalformed:  {"token_malformed", http.StatusUnauthorized},
	CodeTokenExpired:    {"token_expired", http.StatusUnauthorized},
	CodeTokenSignature:  {"token_signature", http.StatusUnauthorized},
	CodeAppNotFound:     {"app_not_found", http.StatusNotFound},
	CodeWrongApp:        {"wrong_app", http.StatusUnauthorized},
	CodeWrongUser:       {"wrong_user", http.StatusUnauthorized},
	CodeAPIKeyInvalid:   {"api_key_invalid", http.StatusUnauthorized},
	CodeChannelInvalid:  {"channel_invalid", http.StatusBadRequest},
	CodePermission:      {"permission_denied", http.StatusForbidden},
	CodeAlreadySubbed:   {"already_subscribed", http.StatusConflict},
	CodeNotSubscribed:   {"not_subscribed", http.StatusNotFound},
	CodeMessageTooLarge: {"message_too_large", http.StatusRequestEntityTooLarge},
	CodeRateLimited:     {"rate_limited", http.StatusTooManyRequests},
	CodeTooManySubs:     {"too_many_subscriptions", http.StatusTooManyRequests},
	CodeTooManyConns:    {"too_many_connections", http.StatusTooManyRequests},
	CodeUserInvalid:     {"user_invalid", http.StatusBadRequest},
	CodeStateInvalid:    {"state_invalid", http.StatusBadRequest},
	CodeShuttingDown:    {"shutting_down", http.StatusServiceUnavailable},
	CodeUnavailable:     {"unavailable", http.StatusServiceUnavailable},
}

// String returns the code's stable snake_case name.
func (c Code) String() string {
	if t, ok := codeTable[c]; ok {
		return t.name
	}
	return fmt.Sprintf("code_%d", int(c))
}

// HTTPStatus is the status the server API answers the code with (500 for
// a code it does not know).
func (c Code) HTTPStatus() int {
	if t, ok := codeTable[c]; ok {
		return t.status
	}
	return http.StatusInternalServerError
}

// WebSocket close codes the server uses. CloseProtocolError and
// CloseFrameTooLarge are the standard codes the frame guard (ws_guard.go)
// sends for a frame it refuses. The SDKs name each one by the snake_case
// of its name after "Close" (a test holds the JavaScript SDK to it).
const (
	CloseSlowConsumer     = 4001 // send queue overflowed (or too many unacked messages); reconnect and recover
	CloseNoPong           = 4002 // no pong within the pong timeout; reconnect
	CloseConnectTimeout   = 4003 // no successful connect within the connect timeout; reconnect
	CloseAppDeleted       = 4004 // the app was deleted; do not reconnect
	CloseTokenExpired     = 4005 // token expired without refresh; reconnect with a fresh token
	CloseShutdown         = 4006 // server shutting down; reconnect after a short delay
	CloseUserDisconnected = 4007 // the app's backend disconnected the user (server API); reconnect with a fresh token
	CloseFrameTooLarge    = 1009 // frame over the frame limit (WebSocket standard code)
	CloseProtocolError    = 1002 // a frame broke RFC 6455: unmasked, reserved bits or opcode, bad length or fragmentation
)

// Error is a protocol error: a code and a human-readable message.
// errors.Is matches two *Error values with the same code.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, int(e.Code), e.Message) }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

func errf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinel errors for the Go API (CreateApp, GetApp, ...).
var (
	// ErrNotFound is returned when an app does not exist.
	ErrNotFound = errors.New("engine: not found")
	// ErrInvalid is returned for invalid arguments such as an empty app name.
	ErrInvalid = errors.New("engine: invalid argument")
	// ErrClosed is returned after Shutdown.
	ErrClosed = errors.New("engine: shut down")
)
