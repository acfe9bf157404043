package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

func TestCreateApp(t *testing.T) {
	env := newEnv(t, Limits{})
	ctx := context.Background()
	app, err := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Users) != 2 || app.Users[0].ID != "alice" || app.Users[1].ID != "bob" {
		t.Fatalf("users = %+v, want alice and bob", app.Users)
	}
	if want := env.clock.Now().Add(24 * time.Hour); app.ExpiresAt.Sub(want).Abs() > time.Second {
		t.Errorf("expires_at = %v, want %v", app.ExpiresAt, want)
	}
	ea, err := env.eng.GetApp(ctx, app.ID)
	if err != nil {
		t.Fatalf("engine app: %v", err)
	}
	if ea.Limits.MaxConns != 550 || ea.Limits.PublishRate != 20 || ea.Limits.APIRate != 20 {
		t.Errorf("engine app limits = %+v, want the sandbox's per-app limits", ea.Limits)
	}
	// The tokens work: alice publishes, bob receives, over real WebSockets.
	alice, err := client.Dial(ctx, env.wsURL, app.Users[0].Token)
	if err != nil {
		t.Fatalf("alice dial: %v", err)
	}
	defer alice.Close()
	bob, err := client.Dial(ctx, env.wsURL, app.Users[1].Token)
	if err != nil {
		t.Fatalf("bob dial: %v", err)
	}
	defer bob.Close()
	got := make(chan client.Message, 1)
	if _, err := bob.SubscribeChan(ctx, "demo", got); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Publish(ctx, "demo", map[string]string{"text": "hi"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.From != "alice" {
			t.Errorf("from = %q, want alice", m.From)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("bob got nothing")
	}
}

func TestCreateAppUsers(t *testing.T) {
	env := newEnv(t, Limits{AppsPerIP: 100})
	for _, tc := range []struct {
		users   int
		wantErr bool
	}{{0, false}, {1, true}, {2, false}, {10, false}, {11, true}, {-3, true}} {
		app, err := env.svc.CreateApp(context.Background(), "192.0.2.9", tc.users)
		if tc.wantErr {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("users %d: err = %v, want ErrInvalid", tc.users, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("users %d: %v", tc.users, err)
			continue
		}
		want := max(tc.users, 2)
		if len(app.Users) != want {
			t.Errorf("users %d: got %d users, want %d", tc.users, len(app.Users), want)
		}
	}
}

func TestIPQuota(t *testing.T) {
	env := newEnv(t, Limits{})
	ctx := context.Background()
	for i := range 5 {
		if _, err := env.svc.CreateApp(ctx, "198.51.100.7", 0); err != nil {
			t.Fatalf("app %d: %v", i+1, err)
		}
		env.clock.Add(time.Minute)
	}
	_, err := env.svc.CreateApp(ctx, "198.51.100.7", 0)
	var qe *QuotaError
	if !errors.As(err, &qe) || !errors.Is(err, ErrQuota) {
		t.Fatalf("6th app: err = %v, want a QuotaError", err)
	}
	// The first app was created 5 minutes ago: the quota frees in 55.
	if got, want := qe.RetryAfter(), 55*time.Minute; got != want {
		t.Errorf("RetryAfter = %v, want %v", got, want)
	}
	if qe.MessageID() != "sandbox.error.ip_quota" {
		t.Errorf("MessageID = %q", qe.MessageID())
	}
	// Another IP is not affected.
	if _, err := env.svc.CreateApp(ctx, "198.51.100.8", 0); err != nil {
		t.Errorf("other IP: %v", err)
	}
	// After the window, the first IP may create again.
	env.clock.Add(55 * time.Minute)
	if _, err := env.svc.CreateApp(ctx, "198.51.100.7", 0); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestExpirySweep(t *testing.T) {
	env := newEnv(t, Limits{})
	ctx := context.Background()
	app, err := env.svc.CreateApp(ctx, "192.0.2.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Leave data behind: history in a channel, and a live connection.
	if _, err := env.eng.Publish(ctx, app.ID, "demo", []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	bob, err := client.Dial(ctx, env.wsURL, app.Users[1].Token)
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()

	env.clock.Add(23*time.Hour + 59*time.Minute)
	if n, err := env.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before expiry: n=%d err=%v, want 0 deleted", n, err)
	}
	if _, err := env.svc.lookup(ctx, app.ID); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	env.clock.Add(2 * time.Minute)
	if _, err := env.svc.lookup(ctx, app.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired app lookup: err = %v, want ErrNotFound", err)
	}
	if n, err := env.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after expiry: n=%d err=%v, want 1 deleted", n, err)
	}
	if _, err := env.eng.GetApp(ctx, app.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("engine app after expiry: err = %v, want ErrNotFound", err)
	}
	var rows int
	env.svc.cfg.DB.QueryRow(`SELECT count(*) FROM engine_history WHERE app_id = ?`, app.ID).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d history rows left after expiry", rows)
	}
	// The connected client is told the app is gone and cannot come back.
	deadline := time.Now().Add(5 * time.Second)
	for bob.Connected() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if bob.Connected() {
		t.Error("bob still connected to a deleted app")
	}
	if n, err := env.svc.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep: n=%d err=%v", n, err)
	}
}
