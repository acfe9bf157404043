package forum

import (
	"fmt"
	"testing"
	"time"
)

func TestLoginThrottlePerIP(t *testing.T) {
	f := newFixture(t)
	f.user("victim", RoleMember)
	// Six failed attempts a minute from one address (Discourse's
	// max_logins_per_ip_per_minute); different accounts so only the IP
	// limit is in play.
	for i := 0; i < 6; i++ {
		_, _, err := f.s.Login(f.ctx, fmt.Sprintf("guess%d@example.com", i), "wrong password", "203.0.113.9")
		wantErr(t, err, ErrUnauthorized)
		f.clock.Advance(5 * time.Second)
	}
	_, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "203.0.113.9")
	e := wantErr(t, err, ErrRateLimited)
	if e.MessageID() != "forum.error.login_throttled" || e.RetryAfter() != 30*time.Second {
		t.Fatalf("got %s retry after %s, want login_throttled after 30s (the first attempt leaves the window)", e.MessageID(), e.RetryAfter())
	}
	if RetryAfter(err) != 30*time.Second || e.Data["Seconds"] != 30 {
		t.Errorf("RetryAfter = %s, data %v", RetryAfter(err), e.Data)
	}
	// Another address is not affected.
	if _, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "198.51.100.1"); err != nil {
		t.Fatalf("other IP: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	if _, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "203.0.113.9"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// Successful logins from one address (an office behind NAT) do not count
// towards its limit; only failures do.
func TestLoginThrottleCountsFailuresOnly(t *testing.T) {
	f := newFixture(t)
	f.user("victim", RoleMember)
	for i := 0; i < 20; i++ {
		if _, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "203.0.113.7"); err != nil {
			t.Fatalf("login %d from one address: %v", i+1, err)
		}
	}
	// Six failures fill the window; then even the right password waits.
	for i := 0; i < 6; i++ {
		_, _, err := f.s.Login(f.ctx, fmt.Sprintf("guess%d@example.com", i), "wrong password", "203.0.113.7")
		wantErr(t, err, ErrUnauthorized)
	}
	_, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "203.0.113.7")
	wantErr(t, err, ErrRateLimited)
}

func TestLoginThrottlePerAccount(t *testing.T) {
	f := newFixture(t)
	f.user("victim", RoleMember)
	// Ten failures from ten addresses lock the account for the window,
	// even with the right password from a fresh address.
	for i := 0; i < 10; i++ {
		_, _, err := f.s.Login(f.ctx, "Victim@example.com", "wrong password", fmt.Sprintf("10.0.0.%d", i))
		wantErr(t, err, ErrUnauthorized)
	}
	_, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "10.9.9.9")
	if e := wantErr(t, err, ErrRateLimited); e.RetryAfter() != 15*time.Minute {
		t.Fatalf("retry after %s, want 15m", e.RetryAfter())
	}
	f.clock.Advance(15 * time.Minute)
	if _, _, err := f.s.Login(f.ctx, "victim@example.com", "correct horse battery", "10.9.9.9"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestLoginThrottleMemoryBounded(t *testing.T) {
	clock := &testClock{t: time.Unix(0, 0)}
	th := newLoginThrottle(Limits{}.withDefaults(), clock.Now)
	for i := 0; i < maxThrottleKeys+10; i++ {
		th.attempt(fmt.Sprint(i), "a")
	}
	if n := len(th.ips); n > maxThrottleKeys {
		t.Errorf("%d IPs remembered, want at most %d", n, maxThrottleKeys)
	}
}
