package serverapi

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// idempotency remembers publish results by (app, idempotency_key) for
// IdempotencyWindow, so a backend that retries a publish (after a
// timeout, say) publishes once. A retry while the first attempt is still
// running waits for it. Failed attempts are forgotten: the retry runs.
// The memory is bounded by the API rate: at most APIRate × 5 minutes
// entries per app.
type idempotency struct {
	now func() time.Time

	mu        sync.Mutex
	m         map[idemKey]*idemEntry
	lastSweep time.Time
}

type idemKey struct{ app, key string }

type idemEntry struct {
	done chan struct{} // closed when pos is set
	pos  engine.StreamPosition
	ok   bool
	at   time.Time
}

func newIdempotency(now func() time.Time) *idempotency {
	return &idempotency{now: now, m: make(map[idemKey]*idemEntry)}
}

// do runs publish once per key within the window and returns its
// position; replayed is true when an earlier attempt's result is returned.
func (d *idempotency) do(ctx context.Context, app, key string, publish func() (engine.StreamPosition, error)) (pos engine.StreamPosition, replayed bool, err error) {
	k := idemKey{app, key}
	for {
		d.mu.Lock()
		now := d.now()
		d.sweepLocked(now)
		e := d.m[k]
		if e != nil && e.ok && now.Sub(e.at) >= IdempotencyWindow {
			delete(d.m, k)
			e = nil
		}
		if e == nil {
			e = &idemEntry{done: make(chan struct{}), at: now}
			d.m[k] = e
			d.mu.Unlock()
			pos, err := publish()
			d.mu.Lock()
			if err != nil {
				delete(d.m, k)
			} else {
				e.pos, e.ok, e.at = pos, true, d.now()
			}
			close(e.done)
			d.mu.Unlock()
			return pos, false, err
		}
		d.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return engine.StreamPosition{}, false, ctx.Err()
		}
		if e.ok {
			return e.pos, true, nil
		}
		// The first attempt failed and was forgotten: try again.
	}
}

// sweepLocked drops expired entries, at most once a minute.
func (d *idempotency) sweepLocked(now time.Time) {
	if now.Sub(d.lastSweep) < time.Minute {
		return
	}
	d.lastSweep = now
	for k, e := range d.m {
		if e.ok && now.Sub(e.at) >= IdempotencyWindow {
			delete(d.m, k)
		}
	}
}
