package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/engine"
)

var tmpDir string

func TestMain(m *testing.M) {
	var err error
	tmpDir, err = os.MkdirTemp("", "switchboard-client-test")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

// testEngine is a real engine on a real SQLite file behind httptest.
type testEngine struct {
	e   *engine.Engine
	srv *httptest.Server
	url string
	app engine.App
}

var engineCount int

func newTestEngine(limits engine.Limits) *testEngine {
	engineCount++
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(tmpDir, fmt.Sprintf("e%d", engineCount), db.FileName))
	if err != nil {
		panic(err)
	}
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: limits})
	if err != nil {
		panic(err)
	}
	app, err := e.CreateApp(ctx, "example")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(e.Handler())
	return &testEngine{e: e, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/ws", app: app}
}

// startEngine starts a throwaway engine for the examples and returns its
// WebSocket URL and the App ID and certificate of a new app.
func startEngine() (url, appID, appCert string) {
	te := newTestEngine(engine.Limits{})
	return te.url, te.app.ID, te.app.Certificate
}

// mintToken is what your backend does: sign a token for a user.
func mintToken(appID, appCert, user string) string {
	tok, err := engine.MintToken(appID, appCert, engine.Claims{Subject: user}, time.Hour)
	if err != nil {
		panic(err)
	}
	return tok
}

func (te *testEngine) token(t testing.TB, user string, ttl time.Duration) string {
	t.Helper()
	tok, err := engine.MintToken(te.app.ID, te.app.Certificate, engine.Claims{Subject: user}, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (te *testEngine) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	te.e.Shutdown(ctx)
	te.srv.Close()
}
