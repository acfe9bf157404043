package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadTestParamsValidate(t *testing.T) {
	l := DefaultLimits()
	ok := LoadTestParams{Clients: 10, Channels: 2, Rate: 50, PayloadBytes: 100, DurationSec: 5}
	if err := ok.Validate(l); err != nil {
		t.Fatalf("valid params: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*LoadTestParams)
		id   string
	}{
		{"no clients", func(p *LoadTestParams) { p.Clients = 0 }, "sandbox.error.lt_clients"},
		{"501 clients", func(p *LoadTestParams) { p.Clients = 501 }, "sandbox.error.lt_clients"},
		{"no channels", func(p *LoadTestParams) { p.Channels = 0 }, "sandbox.error.lt_channels"},
		{"more channels than clients", func(p *LoadTestParams) { p.Channels = 11 }, "sandbox.error.lt_channels"},
		{"rate 0", func(p *LoadTestParams) { p.Rate = 0 }, "sandbox.error.lt_rate"},
		{"rate 1001", func(p *LoadTestParams) { p.Clients, p.Channels, p.Rate = 500, 50, 1001 }, "sandbox.error.lt_rate"},
		{"rate above per-client limit", func(p *LoadTestParams) { p.Rate = 201 }, "sandbox.error.lt_rate_per_client"},
		{"fan-out", func(p *LoadTestParams) { p.Clients, p.Channels, p.Rate = 500, 50, 201 }, "sandbox.error.lt_fanout"},
		{"payload", func(p *LoadTestParams) { p.PayloadBytes = 4097 }, "sandbox.error.lt_payload"},
		{"negative payload", func(p *LoadTestParams) { p.PayloadBytes = -1 }, "sandbox.error.lt_payload"},
		{"duration 0", func(p *LoadTestParams) { p.DurationSec = 0 }, "sandbox.error.lt_duration"},
		{"duration 61", func(p *LoadTestParams) { p.DurationSec = 61 }, "sandbox.error.lt_duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			err := p.Validate(l)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.ID != tc.id {
				t.Errorf("err = %v, want ErrInvalid with %s", err, tc.id)
			}
		})
	}
	// The largest test allowed: 500 clients, 60 s.
	max := LoadTestParams{Clients: 500, Channels: 50, Rate: 200, PayloadBytes: 4096, DurationSec: 60}
	if err := max.Validate(l); err != nil {
		t.Errorf("maximum test: %v", err)
	}
}

func TestLoadTestRun(t *testing.T) {
	env := newEnv(t, Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	app, err := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	p := LoadTestParams{Clients: 20, Channels: 4, Rate: 100, PayloadBytes: 64, DurationSec: 2}
	run, err := env.svc.StartLoadTest(ctx, app.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	// A second test on the same app waits for the first.
	if _, err := env.svc.StartLoadTest(ctx, app.ID, p); !errors.Is(err, ErrBusy) {
		t.Errorf("second test on the app: err = %v, want ErrBusy", err)
	}
	var progress int
	var final *Report
	err = run.Watch(ctx, func(ev Event) error {
		switch ev.Type {
		case "progress":
			progress++
		case "done":
			final = ev.Report
		case "failed":
			t.Errorf("failed: %v", ev.Err)
		}
		return nil
	})
	if err != nil || final == nil {
		t.Fatalf("watch: err=%v report=%v", err, final)
	}
	if progress < 3 {
		t.Errorf("%d progress events, want a few over 2 s", progress)
	}
	if final.Connected != 20 || final.ConnectFailures != 0 {
		t.Errorf("connected %d, failures %d", final.Connected, final.ConnectFailures)
	}
	// 100/s for 2 s, each to the 5 clients of its channel.
	if final.Sent < 180 || final.Sent > 210 {
		t.Errorf("sent %d, want about 200", final.Sent)
	}
	if final.Expected != final.Sent*5 || final.Delivered != final.Expected || final.DeliveryRate != 100 {
		t.Errorf("expected %d, delivered %d, rate %v%%; want every message to every subscriber", final.Expected, final.Delivered, final.DeliveryRate)
	}
	if !(final.LatencyP50Ms > 0 && final.LatencyP50Ms <= final.LatencyP90Ms && final.LatencyP90Ms <= final.LatencyP99Ms && final.LatencyP99Ms <= final.LatencyMaxMs) {
		t.Errorf("latencies p50 %v p90 %v p99 %v max %v not ordered", final.LatencyP50Ms, final.LatencyP90Ms, final.LatencyP99Ms, final.LatencyMaxMs)
	}
	if !final.SLA.DeliveryMet || final.SLA.DeliveryTargetPercent != 99.5 || final.SLA.LatencyP99TargetMs != 50 {
		t.Errorf("SLA = %+v", final.SLA)
	}
	stored, err := env.svc.Report(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Delivered != final.Delivered || len(stored.Samples) == 0 {
		t.Errorf("stored report differs: %+v", stored)
	}
	// Every sample is a new point: time moves on and something happened,
	// with latencies for it (no phantom repeat of the last point at p99 0).
	for i, s := range stored.Samples {
		if i > 0 {
			prev := stored.Samples[i-1]
			if s.T <= prev.T || s.Sent == prev.Sent && s.Delivered == prev.Delivered {
				t.Errorf("sample %d %+v repeats sample %d %+v", i, s, i-1, prev)
			}
		}
		if s.Delivered > 0 && s.P99Ms == 0 && (i == 0 || s.Delivered != stored.Samples[i-1].Delivered) {
			t.Errorf("sample %d %+v: deliveries with a p99 of 0", i, s)
		}
	}
	csv := string(stored.CSV())
	if !strings.Contains(csv, "delivery_rate_percent,100\n") || !strings.Contains(csv, "t,sent,delivered,p50_ms,p99_ms\n") {
		t.Errorf("CSV:\n%s", csv)
	}
	// The app is free again.
	r2, err := env.svc.StartLoadTest(ctx, app.ID, LoadTestParams{Clients: 2, Channels: 1, Rate: 10, DurationSec: 1})
	if err != nil {
		t.Fatalf("after the first finished: %v", err)
	}
	if _, err := r2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTestCaps(t *testing.T) {
	env := newEnv(t, Limits{LoadTestsGlobal: 1, AppsPerIP: 10})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a1, _ := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	a2, _ := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	p := LoadTestParams{Clients: 2, Channels: 1, Rate: 10, DurationSec: 1}
	run, err := env.svc.StartLoadTest(ctx, a1.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.svc.StartLoadTest(ctx, a2.ID, p)
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.MessageID() != "sandbox.error.lt_global" || qe.RetryAfter() <= 0 {
		t.Errorf("second app over the global cap: err = %v", err)
	}
	if _, err := env.svc.StartLoadTest(ctx, "not-a-sandbox-app", p); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown app: err = %v, want ErrNotFound", err)
	}
	// Engine apps that are not sandbox apps cannot be load-tested.
	other, err := env.eng.CreateApp(ctx, "production")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.StartLoadTest(ctx, other.ID, p); !errors.Is(err, ErrNotFound) {
		t.Errorf("non-sandbox engine app: err = %v, want ErrNotFound", err)
	}
	if _, err := run.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// An app that expires mid-test ends its test; its report is not stored.
func TestLoadTestCancelledByExpiry(t *testing.T) {
	env := newEnv(t, Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	app, _ := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	run, err := env.svc.StartLoadTest(ctx, app.ID, LoadTestParams{Clients: 4, Channels: 1, Rate: 20, DurationSec: 30})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	env.clock.Add(25 * time.Hour)
	if _, err := env.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := run.Wait(ctx); err == nil {
		t.Error("a test whose app was deleted finished without error")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("test took %v to stop after its app expired", time.Since(start))
	}
	if _, err := env.svc.Report(ctx, run.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("report of a cancelled test: err = %v, want ErrNotFound", err)
	}
}
