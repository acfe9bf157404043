package gosdktest_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
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
	db  *sql.DB
	cfg engine.Config
}

var engineCount int

func newTestEngine(limits engine.Limits) *testEngine {
	engineCount++
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(tmpDir, fmt.Sprintf("e%d", engineCount), db.FileName))
	if err != nil {
		panic(err)
	}
	te := &testEngine{db: d, cfg: engine.Config{DB: d, Limits: limits}}
	te.start("")
	app, err := te.e.CreateApp(ctx, "example")
	if err != nil {
		panic(err)
	}
	te.app = app
	te.url = "ws" + strings.TrimPrefix(te.srv.URL, "http") + "/v1/ws"
	return te
}

// start starts the engine, listening on addr ("" for any free port).
func (te *testEngine) start(addr string) {
	e, err := engine.New(context.Background(), te.cfg)
	if err != nil {
		panic(err)
	}
	te.e = e
	te.srv = httptest.NewUnstartedServer(e.Handler())
	if addr != "" {
		var l net.Listener
		for i := 0; i < 50; i++ {
			if l, err = net.Listen("tcp", addr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			panic(err)
		}
		te.srv.Listener.Close()
		te.srv.Listener = l
	}
	te.srv.Start()
}

// restart shuts the engine down (clients are told to reconnect) and starts
// a new one on the same address and database.
func (te *testEngine) restart() {
	addr := te.srv.Listener.Addr().String()
	te.close()
	te.start(addr)
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
