package client

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client at Dial.
type Option func(*options)

// TokenRefresher returns a fresh token for the same user and app. The
// client calls it when the server says the token is about to expire (the
// "expiring" push; the connection stays up) and before reconnecting after
// the token expired.
type TokenRefresher func(ctx context.Context) (string, error)

type options struct {
	refresher    TokenRefresher
	onPeer       func(PeerMessage)
	onConnect    func(Info)
	onDisconnect func(error)
	logger       *slog.Logger
	minBackoff   time.Duration
	maxBackoff   time.Duration
	httpClient   *http.Client
	app          string
}

func defaultOptions() options {
	return options{
		logger:     slog.New(slog.DiscardHandler),
		minBackoff: 250 * time.Millisecond,
		maxBackoff: 10 * time.Second,
	}
}

// WithTokenRefresher sets the function that renews the token.
func WithTokenRefresher(f TokenRefresher) Option { return func(o *options) { o.refresher = f } }

// WithPeerHandler sets the handler for peer messages sent to this user,
// including messages stored while the user was offline (delivered at
// login, in order, and acknowledged after the handler returns).
func WithPeerHandler(f func(PeerMessage)) Option { return func(o *options) { o.onPeer = f } }

// WithOnConnect sets a callback run after every successful (re)connect.
func WithOnConnect(f func(Info)) Option { return func(o *options) { o.onConnect = f } }

// WithOnDisconnect sets a callback run when the connection drops, with the
// reason. The client reconnects by itself unless the reason is permanent.
func WithOnDisconnect(f func(error)) Option { return func(o *options) { o.onDisconnect = f } }

// WithLogger sets the logger for connection events (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithBackoff sets the reconnect delay range: the n-th attempt waits a
// random time in [0, min(max, min*2^n)] (full jitter). Defaults: 250 ms, 10 s.
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) { o.minBackoff, o.maxBackoff = min, max }
}

// WithHTTPClient sets the HTTP client used for the WebSocket handshake.
func WithHTTPClient(h *http.Client) Option { return func(o *options) { o.httpClient = h } }

// WithApp asks the server to check that the token is for this App ID
// (error ErrWrongApp otherwise).
func WithApp(appID string) Option { return func(o *options) { o.app = appID } }
