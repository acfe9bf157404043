// Package enginetest serves a real engine for tests in other packages: a
// real SQLite file in the test's temporary directory and a real HTTP server
// on a loopback port, with the WebSocket endpoint at GET /v1/ws, as the
// portal mounts it.
package enginetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
)

// Serve starts an engine with one app named appName (created with opts)
// and returns the server's base URL (http://127.0.0.1:port) and the app.
// The engine, server and database are shut down when the test ends.
func Serve(t testing.TB, appName string, opts ...engine.AppOption) (string, engine.App) {
	t.Helper()
	return ServeConfig(t, appName, engine.Config{}, opts...)
}

// ServeConfig is Serve with cfg's limits and callbacks; cfg.DB is replaced
// by a fresh database of the test's.
func ServeConfig(t testing.TB, appName string, cfg engine.Config, opts ...engine.AppOption) (string, engine.App) {
	t.Helper()
	ctx := context.Background()
	cfg.DB = dbtest.Open(t)
	e, err := engine.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	app, err := e.CreateApp(ctx, appName, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/ws", e.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(sctx)
		srv.Close()
	})
	return srv.URL, app
}

// WebSocketURL is the engine's WebSocket endpoint under the base URL that
// Serve returned.
func WebSocketURL(base string) string { return "ws" + base[len("http"):] + "/v1/ws" }

// Token mints a token for user of app, valid for an hour.
func Token(t testing.TB, app engine.App, user string) string {
	t.Helper()
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: user}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// SDKLog records the "name@version" each connecting client sent in
// connect's sdk object: set engine.Config.OnConnect to its OnConnect.
type SDKLog struct {
	mu   sync.Mutex
	seen []string
}

// OnConnect is an engine.ConnectHandler.
func (l *SDKLog) OnConnect(ev engine.ConnectEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, ev.SDK+"@"+ev.SDKVersion)
}

// Seen returns what was recorded, in connect order.
func (l *SDKLog) Seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen)
}
