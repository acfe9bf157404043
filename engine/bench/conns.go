package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// tokenTTL is how long bench tokens live: longer than any sensible run, so
// that no client needs to renew during the measurement.
const tokenTTL = 6 * time.Hour

// dialer opens bench connections to one app.
type dialer struct {
	url, appID, appCert string
	disconnects         atomic.Int64 // connections that dropped during the run
}

// dial connects one client as user to the dialer's URL.
func (d *dialer) dial(ctx context.Context, user string) (*client.Client, error) {
	return d.dialURL(ctx, d.url, user)
}

// dialURL connects one client as user to the engine at url, with the
// options extra besides the bench's own.
func (d *dialer) dialURL(ctx context.Context, url, user string, extra ...client.Option) (*client.Client, error) {
	tok, err := engine.MintToken(d.appID, d.appCert, engine.Claims{Subject: user}, tokenTTL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	opts := append([]client.Option{
		client.WithApp(d.appID),
		client.WithOnDisconnect(func(error) { d.disconnects.Add(1) }),
	}, extra...)
	return client.Dial(ctx, url, tok, opts...)
}

// forEach runs f(0..n-1) on at most workers goroutines and returns the
// first error; after an error the remaining calls are skipped.
func forEach(ctx context.Context, n, workers int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// closeAll closes every non-nil client, a few at a time (each Close waits
// for the WebSocket closing handshake).
func closeAll(clients []*client.Client) {
	forEach(context.Background(), len(clients), 256, func(_ context.Context, i int) error {
		if c := clients[i]; c != nil {
			c.Close()
		}
		return nil
	})
}

// countConnected returns how many of clients are connected right now.
func countConnected(clients []*client.Client) int {
	n := 0
	for _, c := range clients {
		if c != nil && c.Connected() {
			n++
		}
	}
	return n
}

func connectErr(role string, i int, err error) error {
	return fmt.Errorf("bench: connect %s %d: %w", role, i, err)
}
