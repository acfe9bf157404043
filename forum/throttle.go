package forum

import (
	"strings"
	"sync"
	"time"
)

// Limits are the forum's rate limits. Zero fields take the defaults,
// which follow Discourse's.
type Limits struct {
	LoginsPerIP             int           // failed login attempts per IP per LoginWindow (default 6, Discourse's max_logins_per_ip_per_minute)
	LoginWindow             time.Duration // default 1 minute
	LoginFailuresPerAccount int           // failed logins per account per AccountWindow (default 10)
	AccountWindow           time.Duration // default 15 minutes

	TopicInterval time.Duration // between two new topics of one user (default 15 s, rate_limit_create_topic)
	ReplyInterval time.Duration // between two replies of one user (default 5 s, rate_limit_create_post)

	NewUserAge           time.Duration // accounts younger than this are new (default 24 h)
	NewUserMaxLinks      int           // links per post for new accounts (default 2, newuser_max_links)
	NewUserTopicsPerDay  int           // topics on the first day (default 3, max_topics_in_first_day)
	NewUserRepliesPerDay int           // replies on the first day (default 10, max_replies_in_first_day)
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.LoginsPerIP, 6)
	defD(&l.LoginWindow, time.Minute)
	def(&l.LoginFailuresPerAccount, 10)
	defD(&l.AccountWindow, 15*time.Minute)
	defD(&l.TopicInterval, 15*time.Second)
	defD(&l.ReplyInterval, 5*time.Second)
	defD(&l.NewUserAge, 24*time.Hour)
	def(&l.NewUserMaxLinks, 2)
	def(&l.NewUserTopicsPerDay, 3)
	def(&l.NewUserRepliesPerDay, 10)
	return l
}

// maxThrottleKeys bounds the memory of the login throttle: beyond it,
// expired entries are swept, and if that is not enough, arbitrary entries
// are forgotten until half the room is free. Spraying addresses gains an
// attacker little: each address still gets LoginsPerIP attempts a window,
// and the per-account limit is unaffected unless accounts are sprayed too.
const maxThrottleKeys = 100_000

// loginThrottle counts failed logins per IP and per account in sliding
// windows, in memory (a restart forgets it, which is acceptable for
// one-minute windows). Successful logins do not count, so that people
// behind one address (an office, a NAT) are not locked out by each
// other's sign-ins. An attempt counts against its IP from the moment it
// starts, so that guesses sent in parallel cannot all pass the check
// before the first one fails; success takes it back.
type loginThrottle struct {
	lim Limits
	now func() time.Time

	mu       sync.Mutex
	ips      map[string][]time.Time
	accounts map[string][]time.Time
}

func newLoginThrottle(lim Limits, now func() time.Time) *loginThrottle {
	return &loginThrottle{lim: lim, now: now, ips: map[string][]time.Time{}, accounts: map[string][]time.Time{}}
}

// prune drops the times older than the window and returns the rest.
func prune(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-window)) {
		i++
	}
	return ts[i:]
}

// attempt records a login attempt from ip for account and reports whether
// it may proceed; if not, wait is when it may. at identifies the attempt
// for succeeded.
func (t *loginThrottle) attempt(ip, account string) (at time.Time, wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	account = strings.ToLower(account)
	if ts := prune(t.accounts[account], now, t.lim.AccountWindow); len(ts) >= t.lim.LoginFailuresPerAccount {
		t.accounts[account] = ts
		return now, ts[0].Add(t.lim.AccountWindow).Sub(now), false
	}
	ts := prune(t.ips[ip], now, t.lim.LoginWindow)
	if len(ts) >= t.lim.LoginsPerIP {
		t.ips[ip] = ts
		return now, ts[0].Add(t.lim.LoginWindow).Sub(now), false
	}
	t.ips[ip] = append(ts, now)
	t.sweep(now)
	return now, 0, true
}

// failed records a failed login for account.
func (t *loginThrottle) failed(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	account = strings.ToLower(account)
	t.accounts[account] = append(prune(t.accounts[account], now, t.lim.AccountWindow), now)
	t.sweep(now)
}

// succeeded takes back the IP's attempt at and clears the account's
// failures after a good login.
func (t *loginThrottle) succeeded(ip, account string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, strings.ToLower(account))
	ts := t.ips[ip]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			t.ips[ip] = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
	if len(t.ips[ip]) == 0 {
		delete(t.ips, ip)
	}
}

func (t *loginThrottle) sweep(now time.Time) {
	for _, m := range []struct {
		m map[string][]time.Time
		w time.Duration
	}{{t.ips, t.lim.LoginWindow}, {t.accounts, t.lim.AccountWindow}} {
		if len(m.m) <= maxThrottleKeys {
			continue
		}
		for k, ts := range m.m {
			if len(prune(ts, now, m.w)) == 0 {
				delete(m.m, k)
			}
		}
		for k := range m.m { // still too many: forget arbitrary entries
			if len(m.m) <= maxThrottleKeys/2 {
				break
			}
			delete(m.m, k)
		}
	}
}
