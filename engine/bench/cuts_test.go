package bench_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/bench"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

// Cutting every subscriber's TCP connection twice: each one reconnects
// with the SDK's default back-off, resubscribes with recovery and gets
// every message once, and the report says how long that took.
func TestRunCutsConnectionsAndMeasuresRecovery(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	var progress syncBuffer
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 20, Channels: 2, Rate: 20, Duration: 2500 * time.Millisecond,
		CutEvery: time.Second, Progress: &progress,
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	rec := r.RecoveryReport
	if rec == nil {
		t.Fatalf("no recovery report with CutEvery set\n%s", progress.String())
	}
	// Cuts at 1 s and 2 s, all 20 subscribers each time.
	if rec.Cuts != 40 || rec.Recoveries != 40 || rec.Unrecovered != 0 {
		t.Errorf("cuts %d, recoveries %d, unfinished %d; want 40, 40, 0\n%s", rec.Cuts, rec.Recoveries, rec.Unrecovered, progress.String())
	}
	if rec.RecoveriesIncomplete != 0 || rec.Lost != 0 || rec.Duplicated != 0 {
		t.Errorf("incomplete %d, lost %d, duplicated %d; want none", rec.RecoveriesIncomplete, rec.Lost, rec.Duplicated)
	}
	if r.Sent != 100 || r.DeliveryRate != 1 {
		t.Errorf("sent %d, delivery_rate %v; want 100 and every message delivered", r.Sent, r.DeliveryRate)
	}
	if !(rec.RecoveryP50MS > 0 && rec.RecoveryP50MS <= rec.RecoveryP99MS && rec.RecoveryP99MS <= rec.RecoveryMaxMS) {
		t.Errorf("recovery p50/p99/max = %v/%v/%v ms, want positive and ordered", rec.RecoveryP50MS, rec.RecoveryP99MS, rec.RecoveryMaxMS)
	}
	// The SDK's first reconnect waits up to 250 ms; on loopback the rest
	// is a few milliseconds (more on a busy machine).
	if rec.RecoveryMaxMS > 3000 {
		t.Errorf("recovery max %v ms, want well under 3 s", rec.RecoveryMaxMS)
	}
	if out := progress.String(); !strings.Contains(out, "2 cut rounds, 40 connections cut, the SDK's default back-off") ||
		!strings.Contains(out, "back-off (cut to dial)") {
		t.Errorf("progress lacks the cut summary and the phases:\n%s", out)
	}
	var line bytes.Buffer
	r.WriteJSON(&line)
	for _, field := range []string{`"cuts":40`, `"recoveries_incomplete":0`, `"recovery_p50_ms":`, `"recovery_p99_ms":`, `"recovery_max_ms":`, `"lost":0`, `"duplicated":0`} {
		if !strings.Contains(line.String(), field) {
			t.Errorf("JSON line lacks %s: %s", field, line.String())
		}
	}
}

// With a history of one message, a subscriber away for longer than one
// publication interval cannot recover: the report counts the incomplete
// recoveries and the messages the app never saw.
func TestRunCutsCountLossBeyondHistory(t *testing.T) {
	url, app := enginetest.ServeConfig(t, "bench", engine.Config{Limits: engine.Limits{HistorySize: 1}})
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 10, Rate: 50, Duration: 2 * time.Second,
		CutEvery: 700 * time.Millisecond, BackoffMin: 400 * time.Millisecond, BackoffMax: 400 * time.Millisecond,
		Grace: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := r.RecoveryReport
	if rec == nil || rec.Cuts == 0 || rec.RecoveriesIncomplete == 0 || rec.Lost == 0 {
		t.Fatalf("report %+v: want cuts, incomplete recoveries and lost messages", rec)
	}
	if want := r.Expected - r.Delivered; rec.Lost != want {
		t.Errorf("lost %d, want expected-delivered = %d", rec.Lost, want)
	}
	if rec.Duplicated != 0 {
		t.Errorf("duplicated %d, want 0", rec.Duplicated)
	}
}

// Without cuts the JSON line keeps its usual fields only.
func TestRunWithoutCutsHasNoRecoveryFields(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 2, Rate: 10, Duration: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var line bytes.Buffer
	r.WriteJSON(&line)
	if r.RecoveryReport != nil || strings.Contains(line.String(), "recovery") || strings.Contains(line.String(), "cuts") {
		t.Errorf("report without cuts has recovery fields: %s", line.String())
	}
}
