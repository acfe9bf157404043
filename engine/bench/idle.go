package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/client"
)

// runIdle connects cfg.Idle clients that then do nothing, holds them for
// cfg.Duration and reports the server's resident memory per connection:
// (RSS with the clients - RSS before them) / clients.
func runIdle(ctx context.Context, cfg Config) (Report, error) {
	if err := ensureFDs(cfg.Idle); err != nil {
		return Report{}, err
	}
	d := &dialer{url: cfg.URL, appID: cfg.AppID, appCert: cfg.AppCert}
	clients := make([]*client.Client, cfg.Idle)
	defer closeAll(clients)

	baseline := serverRSS(cfg.ServerPID, cfg.Progress)
	fmt.Fprintf(cfg.Progress, "bench: idle mode: %d connections, %d channels; server RSS before: %s\n", cfg.Idle, cfg.Channels, mib(baseline))

	var connected atomic.Int64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintf(cfg.Progress, "bench: connected %d/%d\n", connected.Load(), cfg.Idle)
			case <-stop:
				return
			}
		}
	}()
	start := time.Now()
	err := forEach(ctx, cfg.Idle, cfg.ConnectConcurrency, func(ctx context.Context, i int) error {
		c, err := d.dial(ctx, fmt.Sprintf("bench-idle-%d", i))
		if err != nil {
			return connectErr("idle client", i, err)
		}
		clients[i] = c
		if cfg.Channels > 0 {
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			ch := fmt.Sprintf("bench.idle.%d", i%cfg.Channels)
			if _, err := c.Subscribe(sctx, ch, func(client.Message) {}); err != nil {
				return connectErr("idle client", i, fmt.Errorf("subscribe: %w", err))
			}
		}
		connected.Add(1)
		return nil
	})
	close(stop)
	if err != nil {
		return Report{}, err
	}
	connectTime := time.Since(start)
	fmt.Fprintf(cfg.Progress, "bench: %d clients connected in %s; holding them for %s\n", cfg.Idle, connectTime.Round(time.Millisecond), cfg.Duration)

	hold := time.NewTicker(time.Second)
	defer hold.Stop()
	until := time.Now().Add(cfg.Duration)
	for time.Now().Before(until) {
		select {
		case <-hold.C:
			fmt.Fprintf(cfg.Progress, "bench: %d/%d connected, server RSS %s\n", countConnected(clients), cfg.Idle, mib(serverRSS(cfg.ServerPID, nil)))
		case <-ctx.Done():
			return Report{}, ctx.Err()
		}
	}
	if n := countConnected(clients); n < cfg.Idle {
		return Report{}, fmt.Errorf("bench: only %d of %d idle clients are still connected (%d disconnects)", n, cfg.Idle, d.disconnects.Load())
	}
	r := Report{
		ConnectMS:         ms(connectTime),
		IdleConnections:   cfg.Idle,
		ServerRSSBaseline: baseline,
		ServerRSSBytes:    serverRSS(cfg.ServerPID, cfg.Progress),
	}
	if r.ServerRSSBytes > 0 && baseline > 0 {
		r.BytesPerConn = (r.ServerRSSBytes - baseline) / int64(cfg.Idle)
	}
	return r, nil
}

func mib(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
