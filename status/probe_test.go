package status_test

import (
	"context"
	"testing"

	"switchboard/status"
)

func TestProbeAllGreen(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	p := probe(t, m, v.clock)
	if p.Connect != status.OK || p.Messaging != status.OK || p.Peer != status.OK || p.HTTP != status.OK {
		t.Fatalf("outcomes = %s %s %s %s (%s), want all ok", p.Connect, p.Messaging, p.Peer, p.HTTP, p.Error)
	}
	if p.Sent != 5 || p.Expected != 5 || p.Delivered != 5 || len(p.Latencies) != 5 {
		t.Fatalf("sent/expected/delivered/latencies = %d/%d/%d/%d, want 5 each", p.Sent, p.Expected, p.Delivered, len(p.Latencies))
	}
	if p.ConnectTime <= 0 || p.Error != "" {
		t.Fatalf("connect time %v, error %q", p.ConnectTime, p.Error)
	}
	// The probe app is created once and reused by a new Monitor.
	a1, err := m.EnsureProbeApp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a2, err := v.monitor(nil).EnsureProbeApp(context.Background())
	if err != nil || a2.ID != a1.ID {
		t.Fatalf("second monitor's probe app = %q, %v; want %q", a2.ID, err, a1.ID)
	}
}
