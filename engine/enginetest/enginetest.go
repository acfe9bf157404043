// Package enginetest serves a real engine for tests in other packages: a
// real SQLite file in the test's temporary directory and a real HTTP server
// on a loopback port, with the WebSocket endpoint at GET /v1/ws, as the
// portal mounts it.
package enginetest

import (
	"context"
	"net/http"
	"net/http/httptest"
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
	ctx := context.Background()
	d := dbtest.Open(t)
	e, err := engine.New(ctx, engine.Config{DB: d})
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
