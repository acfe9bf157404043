package engine_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// gateSync is an EventSync for one app whose Sync waits until open is
// closed (a commit that takes as long as the test likes).
type gateSync struct {
	app   atomic.Pointer[string]
	open  atomic.Pointer[chan struct{}]
	syncs atomic.Int32
}

func (g *gateSync) Wants(app string) bool { p := g.app.Load(); return p != nil && *p == app }

func (g *gateSync) Sync(ctx context.Context, app string) {
	g.syncs.Add(1)
	select {
	case <-*g.open.Load():
	case <-ctx.Done():
	}
}

// gate installs a new gate, shut, and returns it: closing the channel opens it.
func (g *gateSync) gate() chan struct{} {
	ch := make(chan struct{})
	g.open.Store(&ch)
	return ch
}

// TestEventSyncHoldsRepliesAndPushes: while Sync has not returned, the
// wanted app's connection gets neither its reply nor a publication sent
// to it meanwhile; both arrive, in order, once it returns. Another app's
// connection is never held, and a shutdown during the hold still sends
// the held frames before the shutdown push and the close.
func TestEventSyncHoldsRepliesAndPushes(t *testing.T) {
	g := &gateSync{}
	close(g.gate()) // connect freely
	v := newEnv(t, func(c *engine.Config) { c.EventSync = g })
	hooked, plain := v.app("hooked"), v.app("plain")
	g.app.Store(&hooked.ID)
	a := v.connect(hooked, "alice")
	p := v.connect(plain, "carol")
	if n := g.syncs.Load(); n != 1 {
		t.Errorf("%d syncs after two connects, want 1 (the hooked app's)", n)
	}

	gate := g.gate()
	rep := a.start("subscribe", map[string]any{"channel": "room"})
	waitFor(t, "the subscribe op to sync", func() bool { return g.syncs.Load() == 2 })
	start := time.Now()
	if f := p.call("subscribe", map[string]any{"channel": "room"}); f.code() != 0 {
		t.Fatalf("plain subscribe: %v", f)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the plain app's subscribe took %v while the hooked app's was held", d)
	}
	published := make(chan error, 1)
	go func() {
		_, err := v.e.Publish(context.Background(), hooked.ID, "room", json.RawMessage(`{"n":1}`))
		published <- err
	}()
	select {
	case f := <-rep:
		t.Fatalf("subscribe answered while held: %v", f)
	case err := <-published:
		t.Fatalf("server publish of the hooked app returned (%v) before Sync did", err)
	case <-time.After(100 * time.Millisecond):
	}
	done := make(chan error, 1)
	go func() { done <- v.e.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	close(gate)
	if f := <-rep; f.code() != 0 {
		t.Fatalf("subscribe after the hold: %v", f)
	}
	if err := <-published; err != nil {
		t.Fatalf("server publish: %v", err)
	}
	if f := a.push("pub"); f.num("offset") != 1 {
		t.Errorf("held publication %v, want offset 1", f)
	}
	a.push("shutdown")
	if code := a.closeCode(); code != engine.CloseShutdown {
		t.Errorf("close code %d, want %d", code, engine.CloseShutdown)
	}
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}
