package usage_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/usage/usagetest"
)

func TestSummaryMergesTheMinutesOfAWindow(t *testing.T) {
	ctx := context.Background()
	clock := enginetest.NewClock()
	src := &usagetest.Samples{}
	s, err := usage.New(ctx, usage.Config{DB: dbtest.Open(t), Source: src, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(-time.Duration(clock.Now().Second()) * time.Second)
	start := clock.Now()
	// Minute 0 (outside the window asked for below), then minutes 90 and 91.
	src.Set(sample("a", 9, 9, 100, 0, 0))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(90 * time.Minute)
	src.Set(sample("a", 3, 5, 10, 100, 90, 2*time.Millisecond))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	src.Set(sample("a", 2, 4, 10, 100, 100, 2*time.Millisecond))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	p, n, err := s.Summary(ctx, "a", clock.Now().Add(-time.Hour), clock.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || p.Publishes != 20 || p.Due != 200 || p.Delivered != 190 || p.Conns != 2 || p.Peak != 5 {
		t.Fatalf("minutes %d publishes %d due %d delivered %d conns %d peak %d, want 2 20 200 190 2 5", n, p.Publishes, p.Due, p.Delivered, p.Conns, p.Peak)
	}
	if r, ok := p.DeliveryRate(); !ok || r != 0.95 {
		t.Fatalf("delivery rate %v %v, want 0.95", r, ok)
	}
	if p.ErrorCount() != 4 || p.Disconnects["4001"] != 2 {
		t.Fatalf("errors %d disconnects %v", p.ErrorCount(), p.Disconnects)
	}
	if _, n, _ := s.Summary(ctx, "a", start.Add(-time.Hour), start); n != 0 {
		t.Fatalf("an empty window has %d minutes", n)
	}
}
