package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/webhooks"
)

// TestRedeliverFailedEvent: an event given up on is listed as failed and,
// once the endpoint is fixed, sent again with the same event ID.
func TestRedeliverFailedEvent(t *testing.T) {
	ctx := context.Background()
	s := startService(t, webhooks.Config{MaxAge: 150 * time.Millisecond})
	var fixed atomic.Bool
	var okID atomic.Value // the event ID answered 200, after the fix
	rc := newReceiver(t, func(r received, n int) int {
		if fixed.Load() {
			okID.CompareAndSwap(nil, r.ID)
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	ep := addEndpoint(t, s, "a", rc.url(), webhooks.TypeConnect)
	connectEvent(s, "a", 0)
	waitFor(t, "the event to fail", 10*time.Second, func() bool { return s.Stats().Failed == 1 })
	failed, err := s.Failed(ctx, "a", ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].Type != webhooks.TypeConnect || failed[0].Attempts < 1 || failed[0].LastError == "" {
		t.Fatalf("failed events %+v: want the one connect event with its last error", failed)
	}
	if other, err := s.Failed(ctx, "b", ep.ID); err != nil || len(other) != 0 {
		t.Fatalf("another app sees %+v, %v", other, err)
	}
	if err := s.Redeliver(ctx, "b", ep.ID, failed[0].EventID); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("redeliver through another app: %v, want ErrNotFound", err)
	}
	fixed.Store(true)
	if err := s.Redeliver(ctx, "a", ep.ID, failed[0].EventID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "redelivery", 10*time.Second, func() bool { return okID.Load() != nil })
	if got := okID.Load().(string); got != failed[0].EventID {
		t.Fatalf("redelivered event ID %s, want %s", got, failed[0].EventID)
	}
	waitFor(t, "the delivery to be recorded", 10*time.Second, func() bool { return s.Stats().Delivered == 1 })
	if err := s.Redeliver(ctx, "a", ep.ID, failed[0].EventID); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("redelivering a delivered event: %v, want ErrNotFound", err)
	}
	if f, _ := s.Failed(ctx, "a", ep.ID); len(f) != 0 {
		t.Fatalf("still failed: %+v", f)
	}
}
