package status_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

// Run records the gap since the last probe of an earlier process, then
// probes on its ticker and rolls up.
func TestRun(t *testing.T) {
	v := newEnv(t, nil)
	v.clock.Set(time.Now().Add(-time.Hour))
	probe(t, v.monitor(nil), v.clock) // an hour ago, by the "previous process"

	m := v.monitor(func(c *status.Config) {
		c.Now = nil // the real clock
		c.Interval = 50 * time.Millisecond
		c.RollupEvery = 100 * time.Millisecond
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	var ps []status.Probe
	for time.Now().Before(deadline) {
		var err error
		if ps, err = m.RecentProbes(context.Background(), time.Now().Add(-time.Minute), 100); err != nil {
			t.Fatal(err)
		}
		if len(ps) >= 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if len(ps) < 4 {
		t.Fatalf("%d probes in 5 s at a 50 ms interval", len(ps))
	}
	for _, p := range ps {
		if p.Error != "" {
			t.Errorf("probe at %v: %s", p.At, p.Error)
		}
	}
	s := summary(t, m, time.Now())
	if s.State != status.StateOperational {
		t.Errorf("state %s, want operational", s.State)
	}
	if len(s.Gaps) != 1 || s.Gaps[0].Seconds < 3590 || s.Gaps[0].Seconds > 3600 {
		t.Errorf("gaps %+v, want one of about an hour", s.Gaps)
	}
	var rolled int
	if err := v.db.QueryRow(`SELECT count(*) FROM status_probes WHERE rolled = 1`).Scan(&rolled); err != nil || rolled == 0 {
		t.Errorf("rolled-up probes: %d, %v; want some (Run rolls up)", rolled, err)
	}
}

func TestConfigErrors(t *testing.T) {
	v := newEnv(t, nil)
	for name, mod := range map[string]func(*status.Config){
		"no DB":         func(c *status.Config) { c.DB = nil },
		"long interval": func(c *status.Config) { c.Interval = 2 * time.Minute },
		"many messages": func(c *status.Config) { c.Messages = status.MaxMessages + 1 },
	} {
		cfg := status.Config{DB: v.db}
		mod(&cfg)
		if _, err := status.New(context.Background(), cfg); !errors.Is(err, status.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	m := v.monitor(func(c *status.Config) { c.EngineURL = "" })
	if _, err := m.ProbeOnce(context.Background()); !errors.Is(err, status.ErrInvalid) {
		t.Errorf("ProbeOnce without EngineURL: %v, want ErrInvalid", err)
	}
	if err := m.Run(context.Background()); !errors.Is(err, status.ErrInvalid) {
		t.Errorf("Run without EngineURL: %v, want ErrInvalid", err)
	}
}
