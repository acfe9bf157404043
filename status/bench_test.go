package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

// seedFull fills the roll-ups as after 90 days of probing at the default
// interval: 30 days of minute rows and 90 day rows for six components,
// plus one minute of probes not yet rolled up.
func seedFull(b *testing.B, s *store, now time.Time) {
	b.Helper()
	ctx := context.Background()
	d := s.m.DB()
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	comps := []string{"engine_connect", "messaging", "peer_messages", "docs_forum_http", "engine", "overall"}
	today := now.Truncate(24 * time.Hour).Unix()
	curMin := now.Truncate(time.Minute).Unix()
	for _, c := range comps {
		for day := today - 89*86400; day <= today; day += 86400 {
			if _, err := tx.Exec(`INSERT INTO status_days (component, day, up_ms, down_ms, ok, failed, sent, expected, delivered, hist)
				VALUES (?, ?, 86300000, 100000, 8630, 10, 43200, 43200, 43190, '[[30,20000],[34,20000],[40,3000],[50,190]]')`, c, day); err != nil {
				b.Fatal(err)
			}
		}
		for m := today - 30*86400; m < curMin; m += 60 {
			if _, err := tx.Exec(`INSERT INTO status_minutes (component, minute, up_ms, down_ms, ok, failed, sent, expected, delivered, hist)
				VALUES (?, ?, 60000, 0, 6, 0, 30, 30, 30, '[[30,14],[34,14],[40,2]]')`, c, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for i := range 6 {
		s.add(now.Add(-time.Duration(i)*10*time.Second), true, five(ms(1.5))...)
	}
}

// BenchmarkSummary is GET /api/status's work on a full 90-day database.
func BenchmarkSummary(b *testing.B) {
	s := newStore(b)
	now := at("2026-11-25T12:00:00Z")
	seedFull(b, s, now)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.m.Summary(context.Background(), now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRollup is one minute's roll-up (6 probes) on a full database,
// retention deletes included.
func BenchmarkRollup(b *testing.B) {
	s := newStore(b)
	now := at("2026-11-25T12:00:00Z")
	seedFull(b, s, now)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for j := range 6 {
			s.add(now.Add(time.Duration(i)*time.Minute+time.Duration(j)*10*time.Second), true, five(ms(1.5))...)
		}
		b.StartTimer()
		if err := s.m.Rollup(ctx, now.Add(time.Duration(i+1)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbe is one full probe against a real engine over loopback.
func BenchmarkProbe(b *testing.B) {
	v := newEnv(b, nil)
	m := v.monitor(nil)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		p, err := m.ProbeOnce(ctx)
		if err != nil || p.Error != "" {
			b.Fatal(err, p.Error)
		}
		lat = append(lat, p.Latencies...)
	}
	var h status.Histogram
	for _, l := range lat {
		h.Add(l)
	}
	p50, _ := h.Quantile(0.5)
	p99, _ := h.Quantile(0.99)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
