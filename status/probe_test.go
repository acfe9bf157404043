package status_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/status"
)

func summary(t *testing.T, m *status.Monitor, now time.Time) status.Summary {
	t.Helper()
	s, err := m.Summary(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func component(s status.Summary, c status.Component) status.ComponentStatus {
	for _, cs := range s.Components {
		if cs.Component == c {
			return cs
		}
	}
	panic("no component " + c)
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

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
	for range 5 {
		probe(t, m, v.clock)
	}
	s := summary(t, m, v.clock.Now())
	if s.State != status.StateOperational {
		t.Fatalf("state = %s, want operational", s.State)
	}
	if got := val(s.DeliveryRate24h); got != 1 {
		t.Errorf("delivery rate 24h = %v, want 1", got)
	}
	if got := val(s.Overall.Last24h.Availability); got != 1 {
		t.Errorf("overall availability 24h = %v, want 1", got)
	}
	// Six probes 10 s apart from 10:00:00 measure 60 s; the clock is now
	// 10:01:00 and the window began at 10:02 yesterday.
	if w := s.Overall.Last24h; w.UpSeconds != 60 || w.DownSeconds != 0 || w.NoDataSeconds != 86340-60 {
		t.Errorf("24h seconds up/down/no data = %v/%v/%v, want 60/0/86280", w.UpSeconds, w.DownSeconds, w.NoDataSeconds)
	}
	msg := component(s, status.ComponentMessaging)
	if msg.Last24h.Expected != 30 || msg.Last24h.Delivered != 30 || msg.Last24h.LatencySamples != 30 {
		t.Errorf("messaging 24h expected/delivered/samples = %d/%d/%d, want 30 each", msg.Last24h.Expected, msg.Last24h.Delivered, msg.Last24h.LatencySamples)
	}
	if s.LatencyP50Ms24h == nil || s.LatencyP99Ms24h == nil || *s.LatencyP99Ms24h < *s.LatencyP50Ms24h {
		t.Errorf("latency p50/p99 = %v/%v", val(s.LatencyP50Ms24h), val(s.LatencyP99Ms24h))
	}
	// A minute of measurements says nothing about 30 days.
	for _, r := range s.SLA {
		if r.Measured == nil || r.Result != status.ResultInsufficientData || r.CoveredSeconds != 60 || r.Coverage <= 0 || r.Coverage > 60.0/(29*86400) {
			t.Errorf("SLA %s: measured %v, result %s, coverage %v (%v s); want insufficient_data over 60 s", r.Name, val(r.Measured), r.Result, r.Coverage, r.CoveredSeconds)
		}
	}
	if n := len(s.Overall.Days); n != 90 || s.Overall.Days[89].Date != "2026-11-25" || s.Overall.Days[89].Level != status.BarUp {
		t.Errorf("days: %d, last %+v", n, s.Overall.Days[n-1])
	}
	if s.Overall.Days[0].Level != status.BarNoData {
		t.Errorf("first day level %s, want no_data", s.Overall.Days[0].Level)
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
	if id, err := m.ProbeAppID(context.Background()); err != nil || id != a1.ID {
		t.Fatalf("ProbeAppID = %q, %v; want %q", id, err, a1.ID)
	}
}

func TestProbeEngineRefusing(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	probe(t, m, v.clock)
	v.refuse.Store(true)
	for range 6 {
		p := probe(t, m, v.clock)
		if p.Connect != status.Failed || p.Messaging != status.Failed || p.Peer != status.Failed || p.HTTP != status.OK {
			t.Fatalf("outcomes = %s %s %s %s, want failed failed failed ok", p.Connect, p.Messaging, p.Peer, p.HTTP)
		}
		if !strings.Contains(p.Error, "connect") {
			t.Fatalf("error %q does not name connect", p.Error)
		}
	}
	s := summary(t, m, v.clock.Now())
	if s.Engine.State != status.StateOutage {
		t.Errorf("engine state = %s, want outage", s.Engine.State)
	}
	if s.State != status.StateDegraded {
		t.Errorf("overall state = %s, want degraded (HTTP still up)", s.State)
	}
	if got := component(s, status.ComponentHTTP).State; got != status.StateOperational {
		t.Errorf("http state = %s, want operational", got)
	}
	// One good probe (10 s) and six failed ones (60 s).
	if w := s.Engine.Last24h; w.UpSeconds != 10 || w.DownSeconds != 60 || val(w.Availability) != 1.0/7 {
		t.Errorf("engine 24h up/down/availability = %v/%v/%v, want 10/60/0.143", w.UpSeconds, w.DownSeconds, val(w.Availability))
	}
	if r := s.SLA[0]; r.Name != "availability" || r.Result != status.ResultInsufficientData {
		t.Errorf("availability SLA = %+v, want insufficient_data (70 s measured)", r)
	}
	// Recovery: after a minute of good probes the state is operational again.
	v.refuse.Store(false)
	v.clock.Set(time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC))
	for range 6 {
		probe(t, m, v.clock)
	}
	s = summary(t, m, v.clock.Now())
	if s.State != status.StateOperational {
		t.Errorf("state after recovery = %s, want operational", s.State)
	}
	// The pause between 10:01:10 and 10:05 is no data.
	if w := s.Engine.Last24h; w.UpSeconds != 70 || w.DownSeconds != 60 || val(w.Availability) != 70.0/130 {
		t.Errorf("engine 24h up/down/availability = %v/%v/%v, want 70/60/0.538", w.UpSeconds, w.DownSeconds, val(w.Availability))
	}
}

func TestProbeEngineShutDown(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	v.srv.CloseClientConnections()
	v.srv.Close() // nothing listens any more
	p := probe(t, m, v.clock)
	if p.Connect != status.Failed || p.HTTP != status.Failed {
		t.Fatalf("outcomes connect %s http %s, want failed", p.Connect, p.HTTP)
	}
	if s := summary(t, m, v.clock.Now()); s.State != status.StateOutage {
		t.Fatalf("state = %s, want outage", s.State)
	}
}

func TestProbeDroppedMessages(t *testing.T) {
	var n atomic.Int64
	v := newEnv(t, func(c *engine.Config) {
		// Drop every other probe publication.
		c.DropFilter = func(app, channel string) bool { return channel == status.ProbeChannel && n.Add(1)%2 == 0 }
	})
	m := v.monitor(func(c *status.Config) { c.Messages = 4 })
	for range 3 {
		p := probe(t, m, v.clock)
		if p.Messaging != status.Failed || p.Expected != 4 || p.Delivered != 2 || p.Connect != status.OK || p.Peer != status.OK {
			t.Fatalf("probe = %+v; want messaging failed, 2 of 4 delivered, connect and peer ok", p)
		}
	}
	s := summary(t, m, v.clock.Now())
	if got := val(s.DeliveryRate24h); got != 0.5 {
		t.Errorf("delivery rate = %v, want 0.5", got)
	}
	msg := component(s, status.ComponentMessaging)
	if msg.State != status.StateOutage || msg.Last24h.Sent != 12 || msg.Last24h.Expected != 12 || msg.Last24h.Delivered != 6 {
		t.Errorf("messaging = %s %d/%d/%d, want outage 12/12/6", msg.State, msg.Last24h.Sent, msg.Last24h.Expected, msg.Last24h.Delivered)
	}
	if r := s.SLA[1]; r.Name != "delivery_rate" || val(r.Measured) != 0.5 || r.Result != status.ResultInsufficientData {
		t.Errorf("delivery SLA = %+v, want 0.5 measured, insufficient_data", r)
	}
}

func TestRestartRecordsGap(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	for range 6 {
		probe(t, m, v.clock) // 10:00:00 .. 10:00:50
	}
	// The server is down for an hour; a new process starts.
	v.clock.Set(time.Date(2026, 11, 25, 11, 0, 30, 0, time.UTC))
	m2 := v.monitor(nil)
	g, ok, err := m2.CheckGap(context.Background())
	if err != nil || !ok {
		t.Fatalf("CheckGap = %v, %v; want a gap", ok, err)
	}
	wantStart := time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC) // last probe + interval
	if !g.Start.Equal(wantStart) || !g.End.Equal(v.clock.Now()) {
		t.Fatalf("gap = %v .. %v, want %v .. %v", g.Start, g.End, wantStart, v.clock.Now())
	}
	if _, again, _ := m2.CheckGap(context.Background()); again {
		t.Fatal("second CheckGap recorded the same gap again")
	}
	s := summary(t, m2, v.clock.Now())
	if s.State != status.StateNoData {
		t.Errorf("state before the first new probe = %s, want no_data", s.State)
	}
	for range 6 {
		probe(t, m2, v.clock) // 11:00:30 .. 11:01:20
	}
	s = summary(t, m2, v.clock.Now())
	if len(s.Gaps) != 1 || s.Gaps[0].Seconds != 3570 {
		t.Errorf("gaps = %+v, want one of 3570 s", s.Gaps)
	}
	// Up: 60 s from 10:00:00 and 60 s from 11:00:30. The hour between is
	// no data, never up.
	w := s.Overall.Last24h
	if w.UpSeconds != 120 || w.DownSeconds != 0 || w.NoDataSeconds != 86370-120 || val(w.Availability) != 1 {
		t.Errorf("24h up/down/no data/avail = %v/%v/%v/%v, want 120/0/86250/1", w.UpSeconds, w.DownSeconds, w.NoDataSeconds, val(w.Availability))
	}
	today := s.Overall.Days[89]
	if today.UpSeconds != 120 || today.NoDataSeconds != 11*3600+90-120 {
		t.Errorf("today's bar = %+v, want 120 s up and %d s no data", today, 11*3600+90-120)
	}
	// A short pause (under 2 intervals) is not a gap.
	v.clock.Add(5 * time.Second) // 15 s after the last probe started
	if _, ok, _ := v.monitor(nil).CheckGap(context.Background()); ok {
		t.Error("a pause of 1.5 intervals was recorded as a gap")
	}
}

func TestProbeHTTPFailing(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	v.unwell.Store(true)
	p := probe(t, m, v.clock)
	if p.HTTP != status.Failed || p.Connect != status.OK || !strings.Contains(p.Error, "HTTP 500") {
		t.Fatalf("probe %+v, want only HTTP failed with its status", p)
	}
	s := summary(t, m, v.clock.Now())
	if s.State != status.StateDegraded || s.Engine.State != status.StateOperational || component(s, status.ComponentHTTP).State != status.StateOutage {
		t.Errorf("states overall %s engine %s, want degraded, operational", s.State, s.Engine.State)
	}
	// Without an HTTP URL the component is not probed and does not count.
	m2 := v.monitor(func(c *status.Config) { c.HTTPURL = "" })
	v.clock.Add(time.Hour)
	if p := probe(t, m2, v.clock); p.HTTP != status.Skipped {
		t.Fatalf("HTTP outcome %s, want skipped", p.HTTP)
	}
	s = summary(t, m2, v.clock.Now())
	if s.State != status.StateOperational || component(s, status.ComponentHTTP).State != status.StateNoData {
		t.Errorf("state %s, http %s; want operational, no_data", s.State, component(s, status.ComponentHTTP).State)
	}
}

func TestProbeEngineHanging(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(func(c *status.Config) { c.ProbeTimeout = 300 * time.Millisecond })
	v.hang.Store(true)
	start := time.Now()
	p := probe(t, m, v.clock)
	if p.Connect != status.Failed || p.Messaging != status.Failed || p.Peer != status.Failed {
		t.Fatalf("probe %+v, want the engine components failed", p)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("probe took %v with a 300 ms timeout", d)
	}
}

func TestProbeAppDeleted(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	probe(t, m, v.clock)
	ctx := context.Background()
	old, err := m.EnsureProbeApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.eng.DeleteApp(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if p := probe(t, m, v.clock); p.Error != "" {
		t.Fatalf("probe after the probe app was deleted: %s", p.Error)
	}
	if a, _ := m.EnsureProbeApp(ctx); a.ID == old.ID {
		t.Error("probe app not replaced")
	}
}
