package alerts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
	"github.com/switchboard-rtm/switchboard/histogram"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/usage/usagetest"
)

type fixture struct {
	ctx    context.Context
	clock  *enginetest.Clock
	src    *usagetest.Samples
	usage  *usage.Service
	alerts *alerts.Service
	mu     sync.Mutex
	events []alerts.Event
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), clock: enginetest.NewClock(), src: &usagetest.Samples{}}
	d := dbtest.Open(t)
	var err error
	f.alerts, err = alerts.New(f.ctx, alerts.Config{DB: d, Usage: nil})
	if err == nil {
		t.Fatal("New without a usage source: no error")
	}
	f.usage, err = usage.New(f.ctx, usage.Config{DB: d, Source: f.src, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.alerts, err = alerts.New(f.ctx, alerts.Config{DB: d, Usage: f.usage, Now: f.clock.Now,
		OnEvent: func(_ context.Context, e alerts.Event) { f.mu.Lock(); f.events = append(f.events, e); f.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// flush writes u as this minute's counters and evaluates the rules.
func (f *fixture) flush(t *testing.T, u ...engine.AppUsage) {
	t.Helper()
	f.src.Set(u...)
	if err := f.usage.Flush(f.ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.alerts.Evaluate(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		out = append(out, e.Kind)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRuleFiresOnceAndResolvesOnce(t *testing.T) {
	tests := []struct {
		name            string
		rule            alerts.NewRule
		breach, healthy engine.AppUsage
		wantValue       float64
	}{
		{"delivery rate below 99 percent", alerts.NewRule{Metric: alerts.DeliveryRate, Threshold: 99, Window: 1},
			engine.AppUsage{DeliveriesDue: 100, Deliveries: 90}, engine.AppUsage{DeliveriesDue: 1000000, Deliveries: 1000000}, 90},
		{"p99 above 50 ms", alerts.NewRule{Metric: alerts.P99, Threshold: 50, Window: 1},
			engine.AppUsage{Latency: hist(200 * time.Millisecond)}, engine.AppUsage{}, 0},
		{"rate limited above 1/min over 2 min", alerts.NewRule{Metric: alerts.ErrorRate, Code: "4029", Threshold: 1, Window: 2},
			engine.AppUsage{Errors: map[engine.Code]uint64{4029: 5, 4003: 100}}, engine.AppUsage{}, 2.5},
		{"connections above 2", alerts.NewRule{Metric: alerts.Connections, Threshold: 2, Window: 1},
			engine.AppUsage{Connections: 3, PeakConnections: 3}, engine.AppUsage{Connections: 0, PeakConnections: 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.clock.Advance(-time.Duration(f.clock.Now().Second()) * time.Second)
			tt.rule.AppID, tt.rule.CreatedBy = "app1", 7
			r, err := f.alerts.Create(f.ctx, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			tt.breach.AppID, tt.healthy.AppID = "app1", "app1"
			other := tt.breach
			other.AppID = "app2" // another app's breach never fires app1's rule
			f.flush(t, other)
			if k := f.kinds(); len(k) != 0 {
				t.Fatalf("events after another app's traffic: %v", k)
			}
			f.flush(t, tt.breach)
			f.clock.Advance(10 * time.Second)
			f.flush(t, tt.breach) // still breached: no second firing
			if k := f.kinds(); !equal(k, []string{"fired"}) {
				t.Fatalf("events %v, want [fired]", k)
			}
			if tt.wantValue != 0 && f.events[0].Value != tt.wantValue {
				t.Errorf("fired value %v", f.events[0].Value)
			}
			// The window moves on past the breach.
			f.clock.Advance(time.Duration(tt.rule.Window) * time.Minute)
			f.flush(t, tt.healthy)
			f.flush(t, tt.healthy)
			if k := f.kinds(); !equal(k, []string{"fired", "resolved"}) {
				t.Fatalf("events %v, want [fired resolved]", k)
			}
			hist, err := f.alerts.History(f.ctx, []string{"app1", "app2"}, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != 2 || hist[0].Kind != "resolved" || hist[1].Kind != "fired" || hist[1].RuleID != r.ID || hist[1].Metric != tt.rule.Metric {
				t.Fatalf("history %+v", hist)
			}
			// History outlives the rule.
			if err := f.alerts.Delete(f.ctx, "app1", r.ID); err != nil {
				t.Fatal(err)
			}
			if hist, _ := f.alerts.History(f.ctx, []string{"app1"}, 10); len(hist) != 2 {
				t.Fatalf("history after delete: %d events", len(hist))
			}
		})
	}
}

func hist(ds ...time.Duration) histogram.Histogram {
	var h histogram.Histogram
	for _, d := range ds {
		h.Add(d)
	}
	return h
}

func TestRuleValidationAndOwnership(t *testing.T) {
	f := newFixture(t)
	for _, n := range []alerts.NewRule{
		{Metric: "cpu", Threshold: 1, Window: 1},
		{Metric: alerts.DeliveryRate, Threshold: 101, Window: 1},
		{Metric: alerts.P99, Threshold: -1, Window: 1},
		{Metric: alerts.P99, Threshold: 1, Window: 0},
		{Metric: alerts.P99, Threshold: 1, Window: alerts.MaxWindow + 1},
		{Metric: alerts.P99, Threshold: 1, Window: 1, Code: "4029"},
		{Metric: alerts.ErrorRate, Threshold: 1, Window: 1, Code: "x"},
	} {
		n.AppID = "app1"
		if _, err := f.alerts.Create(f.ctx, n); !errors.Is(err, alerts.ErrInvalid) {
			t.Errorf("Create(%+v) = %v, want ErrInvalid", n, err)
		}
	}
	r, err := f.alerts.Create(f.ctx, alerts.NewRule{AppID: "app1", Metric: alerts.ErrorRate, Threshold: 0, Window: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.alerts.Delete(f.ctx, "app2", r.ID); !errors.Is(err, alerts.ErrNotFound) {
		t.Fatalf("delete through another app: %v, want ErrNotFound", err)
	}
	rules, err := f.alerts.Rules(f.ctx, "app1")
	if err != nil || len(rules) != 1 || rules[0].Window != 5 {
		t.Fatalf("rules %+v, %v", rules, err)
	}
}

func TestRunEvaluatesAfterFlushAndStops(t *testing.T) {
	f := newFixture(t)
	if _, err := f.alerts.Create(f.ctx, alerts.NewRule{AppID: "app1", Metric: alerts.Connections, Threshold: 0, Window: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { f.alerts.Run(ctx); close(done) }()
	f.src.Set(engine.AppUsage{AppID: "app1", Connections: 1, PeakConnections: 1})
	if err := f.usage.Flush(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.alerts.Flushed(f.clock.Now())
	deadline := time.Now().Add(5 * time.Second)
	for len(f.kinds()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if k := f.kinds(); !equal(k, []string{"fired"}) {
		t.Fatalf("events %v after a flush, want [fired]", k)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}
