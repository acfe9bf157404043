package status_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/status"
)

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a real engine on a real SQLite file behind a real HTTP server
// (engine at /v1/ws, a health page at /healthz), and the Monitor's config.
type env struct {
	t       testing.TB
	db      *sql.DB
	eng     *engine.Engine
	srv     *httptest.Server
	refuse  atomic.Bool // the WebSocket endpoint answers 503
	hang    atomic.Bool // the WebSocket endpoint never answers
	unwell  atomic.Bool // /healthz answers 500
	clock   *clock
	wsURL   string
	httpURL string
}

func newEnv(t testing.TB, mod func(*engine.Config)) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := engine.Config{DB: d}
	if mod != nil {
		mod(&cfg)
	}
	e, err := engine.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	v := &env{t: t, db: d, eng: e, clock: newClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))}
	ws := e.Handler()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/ws", func(w http.ResponseWriter, r *http.Request) {
		if v.refuse.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if v.hang.Load() {
			<-r.Context().Done()
			return
		}
		ws.ServeHTTP(w, r)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if v.unwell.Load() {
			http.Error(w, "broken", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	})
	v.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		e.Shutdown(ctx)
		v.srv.Close()
	})
	v.wsURL = "ws" + strings.TrimPrefix(v.srv.URL, "http") + "/v1/ws"
	v.httpURL = v.srv.URL + "/healthz"
	return v
}

// monitor returns a new Monitor on the env's database (a "process start").
func (v *env) monitor(mod func(*status.Config)) *status.Monitor {
	v.t.Helper()
	cfg := status.Config{
		DB: v.db, Now: v.clock.Now, Apps: v.eng, EngineURL: v.wsURL, HTTPURL: v.httpURL,
		Interval: 10 * time.Second, ProbeTimeout: 3 * time.Second, ReceiveTimeout: 300 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := status.New(context.Background(), cfg)
	if err != nil {
		v.t.Fatal(err)
	}
	return m
}

// probe runs one probe and then moves the clock by the interval.
func probe(t *testing.T, m *status.Monitor, c *clock) status.Probe {
	t.Helper()
	p, err := m.ProbeOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Add(m.Interval())
	return p
}
