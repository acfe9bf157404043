package sandbox

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type testEnv struct {
	svc   *Service
	eng   *engine.Engine
	clock *fakeClock
	wsURL string
}

// newEnv starts a real engine on a real SQLite file, served over loopback,
// and a sandbox service on the same database with a movable clock.
func newEnv(t testing.TB, l Limits) *testEnv {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ctx, engine.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(eng.Handler())
	env := &testEnv{eng: eng, clock: &fakeClock{t: time.Now()}, wsURL: "ws" + strings.TrimPrefix(srv.URL, "http")}
	env.svc, err = New(ctx, Config{DB: d, Engine: eng, Now: env.clock.Now, Limits: l, WSURL: func() string { return env.wsURL }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		env.svc.Close()
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		eng.Shutdown(sctx)
		srv.Close()
		d.Close()
	})
	return env
}
