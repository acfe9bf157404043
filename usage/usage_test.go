package usage_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
	"github.com/switchboard-rtm/switchboard/histogram"
	"github.com/switchboard-rtm/switchboard/usage"
)

// samples hands out prepared engine counters, as TakeUsage would.
type samples struct {
	mu   sync.Mutex
	next []engine.AppUsage
}

func (s *samples) TakeUsage() []engine.AppUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.next
	s.next = nil
	return out
}

func (s *samples) set(u ...engine.AppUsage) { s.mu.Lock(); s.next = u; s.mu.Unlock() }

func sample(app string, conns, peak int64, pubs, due, delivered uint64, lat ...time.Duration) engine.AppUsage {
	var h histogram.Histogram
	for _, d := range lat {
		h.Add(d)
	}
	return engine.AppUsage{AppID: app, Connections: conns, PeakConnections: peak, NewConnections: uint64(peak),
		Publishes: pubs, DeliveriesDue: due, Deliveries: delivered, Latency: h,
		Disconnects: map[int]uint64{4001: 1}, Errors: map[engine.Code]uint64{engine.CodeRateLimited: 2},
		SDKs: map[string]int64{"switchboard-go 0.2.0": conns}}
}

func TestFlushMergesMinutesAndRollsUpHours(t *testing.T) {
	ctx := context.Background()
	clock := enginetest.NewClock()
	src := &samples{}
	s, err := usage.New(ctx, usage.Config{DB: dbtest.Open(t), Source: src, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// Two samples in one minute add up; a third in the next minute.
	clock.Advance(-time.Duration(clock.Now().Second()) * time.Second) // start of a minute
	src.set(sample("a", 3, 5, 10, 100, 99, time.Millisecond), sample("b", 1, 1, 1, 0, 0))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(20 * time.Second)
	src.set(sample("a", 2, 4, 10, 100, 100, 3*time.Millisecond))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	src.set(sample("a", 1, 2, 1, 0, 0))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Series(ctx, "a", usage.Window48h)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.T) != 2 || got.T[1]-got.T[0] != 60 {
		t.Fatalf("minutes %v, want two consecutive", got.T)
	}
	if got.Conns[0] != 2 || got.Peak[0] != 5 || got.Publishes[0] != 20 || got.Due[0] != 200 || got.Delivered[0] != 199 {
		t.Fatalf("first minute conns %d peak %d pubs %d due %d delivered %d, want 2 5 20 200 199",
			got.Conns[0], got.Peak[0], got.Publishes[0], got.Due[0], got.Delivered[0])
	}
	if r := got.DeliveryRate[0]; r == nil || *r != 0.995 {
		t.Fatalf("delivery rate %v, want 0.995", r)
	}
	if got.DeliveryRate[1] != nil || got.P99[1] != nil {
		t.Fatal("a minute with nothing due has a delivery rate or latency")
	}
	if p99 := got.P99[0]; p99 == nil || *p99 < 3 || *p99 > 3*1.19 {
		t.Fatalf("p99 %v ms, want about 3", p99)
	}
	if got.DisconnectsByCode["4001"] != 3 || got.ErrorsByCode[strconv.Itoa(int(engine.CodeRateLimited))] != 6 || got.SDKs["switchboard-go 0.2.0"] != 3 {
		t.Fatalf("by code %v %v sdks %v", got.DisconnectsByCode, got.ErrorsByCode, got.SDKs)
	}
	// The hour holds the same sums, and app b its own.
	hours, err := s.Series(ctx, "a", usage.Window30d)
	if err != nil {
		t.Fatal(err)
	}
	var pubs, due int64
	for i := range hours.T {
		pubs += hours.Publishes[i]
		due += hours.Due[i]
	}
	if pubs != 21 || due != 200 {
		t.Fatalf("hours publishes %d due %d, want 21 and 200", pubs, due)
	}
	if b, _ := s.Series(ctx, "b", usage.Window48h); len(b.T) != 1 || b.Publishes[0] != 1 {
		t.Fatalf("app b: %+v", b)
	}
	if _, err := s.Series(ctx, "a", "7d"); !errors.Is(err, usage.ErrInvalid) {
		t.Fatalf("window 7d: %v", err)
	}

	// Minutes go after 48 hours, hours stay for 30 days.
	clock.Advance(49 * time.Hour)
	src.set(sample("c", 1, 1, 1, 0, 0))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Series(ctx, "a", usage.Window48h); len(m.T) != 0 {
		t.Fatalf("minutes older than 48 h kept: %v", m.T)
	}
	if h, _ := s.Series(ctx, "a", usage.Window30d); len(h.T) == 0 {
		t.Fatal("the hours went with the minutes")
	}
	clock.Advance(30 * 24 * time.Hour)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.Series(ctx, "a", usage.Window30d); len(h.T) != 0 {
		t.Fatalf("hours older than 30 days kept: %v", h.T)
	}
}

// TestRunFlushesFromARealEngine counts a real engine's traffic and finds
// it in the database after a short interval, and again after a restart
// of the service (the data is in SQLite, not in memory).
func TestRunFlushesFromARealEngine(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	e, err := engine.New(ctx, engine.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown(ctx)
	app, err := e.CreateApp(ctx, "counted")
	if err != nil {
		t.Fatal(err)
	}
	s, err := usage.New(ctx, usage.Config{DB: d, Source: e, Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(rctx) }()
	for range 3 {
		if _, err := e.Publish(ctx, app.ID, "news", []byte(`{"n":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := s.Series(ctx, app.ID, usage.Window48h)
		if err != nil {
			t.Fatal(err)
		}
		var pubs int64
		for _, p := range got.Publishes {
			pubs += p
		}
		if pubs == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("publishes stored %d, want 3", pubs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := e.Publish(ctx, app.ID, "news", []byte(`{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done // the last flush at shutdown keeps the fourth
	again, err := usage.New(ctx, usage.Config{DB: d, Source: e})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := again.Series(ctx, app.ID, usage.Window48h)
	var pubs int64
	for _, p := range got.Publishes {
		pubs += p
	}
	if pubs != 4 {
		t.Fatalf("after a clean stop: %d publishes stored, want 4", pubs)
	}
}
