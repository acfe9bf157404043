package webhooks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/webhooks"
	"github.com/switchboard-rtm/switchboard/webhooks/examples"
)

// fast are retry settings that keep tests short.
func fast(c webhooks.Config) webhooks.Config {
	c.MinBackoff, c.MaxBackoff, c.Refresh = 5*time.Millisecond, 40*time.Millisecond, 50*time.Millisecond
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	return c
}

func startService(t *testing.T, cfg webhooks.Config) *webhooks.Service { return startServiceB(t, cfg) }

func startServiceB(t testing.TB, cfg webhooks.Config) *webhooks.Service {
	t.Helper()
	if cfg.DB == nil {
		cfg.DB = dbtest.Open(t)
	}
	s, err := webhooks.New(context.Background(), fast(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func addEndpoint(t *testing.T, s *webhooks.Service, app, url string, events ...string) webhooks.Endpoint {
	t.Helper()
	n := webhooks.NewEndpoint{AppID: app, URL: url, Events: events}
	if slices.Contains(events, webhooks.TypePublish) {
		n.Channels = "orders:*"
	}
	ep, err := s.Add(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// verifyAll checks what every request promises: a valid signature, the
// event ID in Switchboard-Delivery and the type in Switchboard-Event.
func verifyAll(t *testing.T, secret string, rs []received) {
	t.Helper()
	for _, r := range rs {
		if err := examples.Verify(secret, r.Signature, r.Body, time.Now()); err != nil {
			t.Errorf("request %s: signature %q: %v", r.ID, r.Signature, err)
		}
		if r.Delivery != r.ID || r.Event != r.Type || !strings.HasPrefix(r.ID, "evt_") {
			t.Errorf("headers delivery %q event %q for body id %q type %q", r.Delivery, r.Event, r.ID, r.Type)
		}
	}
}

// TestEngineEventsDelivered runs a real engine with the service's hooks and
// a client going through a session; the receiver gets every event it asked
// for, signed, in the order they happened.
func TestEngineEventsDelivered(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := startService(t, webhooks.Config{DB: d})
	cfg := engine.Config{DB: d}
	s.Hook(&cfg)
	e, err := engine.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		e.Shutdown(ctx)
		srv.Close()
	})
	app, err := e.CreateApp(ctx, "hooks")
	if err != nil {
		t.Fatal(err)
	}
	rc := newReceiver(t, nil)
	ep := addEndpoint(t, s, app.ID, rc.url(), webhooks.TypeConnect, webhooks.TypeDisconnect, webhooks.TypeSubscribe,
		webhooks.TypeUnsubscribe, webhooks.TypeChannelOccupied, webhooks.TypeChannelVacated, webhooks.TypePresenceJoin,
		webhooks.TypePresenceLeave, webhooks.TypePeerStored, webhooks.TypePublish)
	other := newReceiver(t, nil)
	addEndpoint(t, s, app.ID, other.url(), webhooks.TypePeerStored)

	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, "orders:1", func(client.Message) {}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"orders:1", "news"} {
		if _, err := c.Publish(ctx, ch, map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := c.SendPeer(ctx, "bob", "ping"); err != nil || r.Status != "stored" {
		t.Fatalf("peer to offline bob: %v %v", r, err)
	}
	c.Close()

	want := []string{"connect", "channel.occupied", "subscribe", "presence.join", "publish", "peer.stored",
		"unsubscribe", "channel.vacated", "presence.leave", "disconnect"}
	waitFor(t, "every event", 10*time.Second, func() bool { return len(rc.requests()) >= len(want) })
	got := rc.requests()
	var types []string
	for _, r := range got {
		types = append(types, r.Type)
		if r.AppID != app.ID {
			t.Errorf("%s: app_id %q, want %q", r.Type, r.AppID, app.ID)
		}
		if age := time.Since(time.UnixMilli(r.Time)); age < 0 || age > time.Minute {
			t.Errorf("%s: time %d is %v old", r.Type, r.Time, age)
		}
	}
	if !slices.Equal(types, want) {
		t.Errorf("event types in order\n got %q\nwant %q", types, want)
	}
	verifyAll(t, ep.Secret, got)
	byType := map[string]received{}
	for _, r := range got {
		byType[r.Type] = r
	}
	checks := []struct{ typ, key, want string }{
		{"connect", "user", "alice"}, {"connect", "sdk", client.SDKName}, {"connect", "sdk_version", client.Version},
		{"subscribe", "channel", "orders:1"}, {"unsubscribe", "reason", "disconnect"},
		{"publish", "channel", "orders:1"}, {"publish", "from", "alice"}, {"publish", "data", "map[n:1]"},
		{"peer.stored", "to", "bob"}, {"peer.stored", "data", "ping"},
		{"presence.join", "user", "alice"}, {"channel.vacated", "channel", "orders:1"},
		{"disconnect", "code", "1000"}, // the SDK closes normally
	}
	for _, c := range checks {
		if got := fmt.Sprint(byType[c.typ].Data[c.key]); got != c.want {
			t.Errorf("%s data.%s = %q, want %q", c.typ, c.key, got, c.want)
		}
	}
	if byType["connect"].Data["client"] == "" || byType["connect"].Data["client"] != byType["disconnect"].Data["client"] {
		t.Errorf("connect and disconnect name clients %v and %v", byType["connect"].Data["client"], byType["disconnect"].Data["client"])
	}
	waitFor(t, "the peer.stored endpoint", 5*time.Second, func() bool { return len(other.requests()) == 1 })
	if o := other.requests()[0]; o.Type != "peer.stored" || o.ID != byType["peer.stored"].ID {
		t.Errorf("second endpoint got %s %s, want the same peer.stored event %s", o.Type, o.ID, byType["peer.stored"].ID)
	}
}

// connectEvent enqueues a synthetic connect event numbered n.
func connectEvent(s *webhooks.Service, app string, n int) bool {
	return s.Enqueue(webhooks.Event{Type: webhooks.TypeConnect, AppID: app, Time: time.Now(),
		Data: map[string]any{"n": n}})
}

func numbers(rs []received) []int {
	var out []int
	for _, r := range rs {
		out = append(out, int(r.Data["n"].(float64)))
	}
	return out
}

// TestRetriesKeepOrderAndID: the receiver fails the first two attempts of
// every event (a 500, then an answer slower than the timeout); each event
// is retried with the same ID and signed anew, and the accepted ones come
// in order.
func TestRetriesKeepOrderAndID(t *testing.T) {
	s := startService(t, webhooks.Config{Timeout: 300 * time.Millisecond})
	rc := newReceiver(t, func(r received, n int) int {
		if n <= 2 {
			return http.StatusInternalServerError // n == 2 answers too late anyway
		}
		return http.StatusNoContent
	})
	rc.slow = func(r received, n int) time.Duration {
		if n == 2 {
			return 3 * time.Second
		}
		return 0
	}
	ep := addEndpoint(t, s, "app1", rc.url(), webhooks.TypeConnect)
	for i := range 5 {
		if !connectEvent(s, "app1", i) {
			t.Fatalf("event %d not queued", i)
		}
	}
	waitFor(t, "five accepted events", 20*time.Second, func() bool { return len(rc.accepted()) == 5 })
	if got := numbers(rc.accepted()); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("accepted in order %v, want 0..4", got)
	}
	all := rc.requests()
	if len(all) != 15 {
		t.Errorf("%d requests, want 15 (three per event)", len(all))
	}
	for i, r := range all {
		if want := rc.accepted()[i/3].ID; r.ID != want {
			t.Errorf("request %d has ID %s, want %s (retries keep the ID, events wait for the one before)", i, r.ID, want)
		}
	}
	verifyAll(t, ep.Secret, all)
	waitFor(t, "deliveries recorded", 5*time.Second, func() bool {
		ds, _ := s.Deliveries(context.Background(), ep.ID)
		return len(ds) == 15
	})
	ds, err := s.Deliveries(context.Background(), ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := ds[:3] // newest first: the last event's three attempts
	if last[0].Status != 204 || last[0].Attempt != 3 || last[1].Status != 0 || !strings.Contains(last[1].Error, "no answer within") ||
		last[2].Status != 500 || last[2].Attempt != 1 {
		t.Errorf("last event's attempts %+v, want 204 (3), timeout (2), 500 (1)", last)
	}
	if st := s.Stats(); st.Delivered != 5 || st.Retried != 10 || st.Accepted != 5 {
		t.Errorf("stats %+v, want 5 accepted, 5 delivered, 10 retried", st)
	}
}

// TestDeadEndpointNeitherBlocksNorSlowsOthers: one app's endpoint never
// answers, another's does; the healthy one gets everything at once, and
// the dead one's queue stops at MaxPending, counted.
func TestDeadEndpointNeitherBlocksNorSlowsOthers(t *testing.T) {
	s := startService(t, webhooks.Config{MaxPending: 20, Timeout: 50 * time.Millisecond})
	dead := newReceiver(t, nil)
	dead.slow = func(received, int) time.Duration { return time.Minute }
	addEndpoint(t, s, "slow-app", dead.url(), webhooks.TypeConnect)
	addEndpoint(t, s, "gone-app", closedURL(t), webhooks.TypeConnect)
	ok := newReceiver(t, nil)
	addEndpoint(t, s, "good-app", ok.url(), webhooks.TypeConnect)

	start := time.Now()
	for i := range 100 {
		connectEvent(s, "slow-app", i)
		connectEvent(s, "gone-app", i)
		if i < 20 {
			connectEvent(s, "good-app", i)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("220 Enqueue calls took %v", d)
	}
	waitFor(t, "the healthy endpoint's 20 events", 10*time.Second, func() bool { return len(ok.requests()) == 20 })
	if got := numbers(ok.requests()); !slices.IsSorted(got) {
		t.Errorf("healthy endpoint got events out of order: %v", got)
	}
	waitFor(t, "drops counted", 5*time.Second, func() bool { return s.Stats().DroppedFull == 160 })
	for _, r := range dead.requests() {
		if r.Data["n"] != 0.0 {
			t.Errorf("slow endpoint got event %v before event 0 went through", r.Data["n"])
		}
	}
}

// TestQueueBound: Enqueue never waits; past QueueLen it drops and counts.
func TestQueueBound(t *testing.T) {
	d := dbtest.Open(t)
	s, err := webhooks.New(context.Background(), fast(webhooks.Config{DB: d, QueueLen: 3}))
	if err != nil {
		t.Fatal(err)
	}
	rc := newReceiver(t, nil)
	if _, err := s.Add(context.Background(), webhooks.NewEndpoint{AppID: "a", URL: rc.url(), Events: []string{"connect"}}); err != nil {
		t.Fatal(err)
	}
	if connectEvent(s, "a", 0) {
		t.Fatal("event queued before Start loaded any endpoint")
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if connectEvent(s, "other-app", 0) {
		t.Error("event for an app without endpoints was queued")
	}
	if s.Stats().DroppedQueue != 0 {
		t.Error("unwanted events counted as dropped")
	}
	queued := 0
	for i := range 2000 {
		if connectEvent(s, "a", i) {
			queued++
		}
	}
	if st := s.Stats(); queued == 2000 || st.DroppedQueue != uint64(2000-queued) {
		t.Errorf("%d of 2000 queued with QueueLen 3, %d counted as dropped", queued, st.DroppedQueue)
	}
	waitFor(t, "the queued events", 10*time.Second, func() bool { return len(rc.requests()) == queued })
}

// TestGivesUpAfterMaxAge: an event the endpoint refuses for MaxAge is
// marked failed, and the next one is delivered.
func TestGivesUpAfterMaxAge(t *testing.T) {
	s := startService(t, webhooks.Config{MaxAge: 150 * time.Millisecond})
	rc := newReceiver(t, func(r received, n int) int {
		if r.Data["n"] == 0.0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	addEndpoint(t, s, "a", rc.url(), webhooks.TypeConnect)
	connectEvent(s, "a", 0)
	connectEvent(s, "a", 1)
	waitFor(t, "event 1", 10*time.Second, func() bool { return len(rc.accepted()) == 1 })
	if got := numbers(rc.accepted()); got[0] != 1 {
		t.Errorf("accepted %v, want [1]", got)
	}
	waitFor(t, "stats", 5*time.Second, func() bool { st := s.Stats(); return st.Failed == 1 && st.Delivered == 1 })
}

// TestEndpointComesBack: while the receiver is gone events wait; when it
// listens again on the same address, they arrive in order.
func TestEndpointComesBack(t *testing.T) {
	s := startService(t, webhooks.Config{})
	rc := newReceiver(t, nil)
	addr := rc.srv.Listener.Addr().String()
	addEndpoint(t, s, "a", rc.url(), webhooks.TypeConnect)
	connectEvent(s, "a", 0)
	waitFor(t, "event 0", 5*time.Second, func() bool { return len(rc.requests()) == 1 })
	rc.srv.Close()
	for i := 1; i <= 5; i++ {
		connectEvent(s, "a", i)
	}
	waitFor(t, "failed attempts", 5*time.Second, func() bool { return s.Stats().Retried >= 3 })
	back := newReceiver(t, nil)
	back.srv.Close()
	back.srv = httptest.NewUnstartedServer(back.srv.Config.Handler)
	l, err := listenRetry(addr)
	if err != nil {
		t.Fatal(err)
	}
	back.srv.Listener = l
	back.srv.Start()
	waitFor(t, "the waiting events", 10*time.Second, func() bool { return len(back.requests()) == 5 })
	if got := numbers(back.requests()); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("after coming back: %v, want 1..5", got)
	}
}

func TestAddValidatesAndDeniesPrivate(t *testing.T) {
	ctx := context.Background()
	open := startService(t, webhooks.Config{})
	strict := startService(t, webhooks.Config{DenyPrivate: true})
	tests := []struct {
		s    *webhooks.Service
		n    webhooks.NewEndpoint
		want error
	}{
		{open, webhooks.NewEndpoint{AppID: "a", URL: "http://127.0.0.1:9/x", Events: []string{"connect"}}, nil},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "https://10.1.2.3/x", Events: []string{"presence.join", "presence.join"}}, nil},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "ftp://example.com/", Events: []string{"connect"}}, webhooks.ErrInvalid},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "http://u:p@example.com/", Events: []string{"connect"}}, webhooks.ErrInvalid},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "http://127.0.0.1/", Events: []string{"connected"}}, webhooks.ErrInvalid},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "http://127.0.0.1/"}, webhooks.ErrInvalid},
		{open, webhooks.NewEndpoint{AppID: "a", URL: "http://127.0.0.1/", Events: []string{"publish"}}, webhooks.ErrInvalid},
		{strict, webhooks.NewEndpoint{AppID: "a", URL: "http://127.0.0.1:9/x", Events: []string{"connect"}}, webhooks.ErrPrivate},
		{strict, webhooks.NewEndpoint{AppID: "a", URL: "http://192.168.1.1/x", Events: []string{"connect"}}, webhooks.ErrPrivate},
		{strict, webhooks.NewEndpoint{AppID: "a", URL: "http://localhost:9/x", Events: []string{"connect"}}, webhooks.ErrPrivate},
		{strict, webhooks.NewEndpoint{AppID: "a", URL: "http://[::1]:9/x", Events: []string{"connect"}}, webhooks.ErrPrivate},
	}
	for _, tt := range tests {
		ep, err := tt.s.Add(ctx, tt.n)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("Add(%+v): %v, want %v", tt.n, err, tt.want)
		}
		if err == nil && (!strings.HasPrefix(ep.Secret, "whsec_") || !strings.HasPrefix(ep.ID, "wh_") || len(ep.Events) != 1) {
			t.Errorf("Add(%+v) = %+v", tt.n, ep)
		}
	}
	// An endpoint stored earlier is refused at connect time too.
	d := dbtest.Open(t)
	loose := startService(t, webhooks.Config{DB: d})
	rc := newReceiver(t, nil)
	ep := addEndpoint(t, loose, "a", rc.url(), webhooks.TypeConnect)
	loose.Close()
	strict2 := startService(t, webhooks.Config{DB: d, DenyPrivate: true})
	dl, err := strict2.Test(ctx, "a", ep.ID)
	if err != nil || dl.OK() || !strings.Contains(dl.Error, "private") || len(rc.requests()) != 0 {
		t.Errorf("test delivery to loopback with DenyPrivate: %+v %v, %d requests", dl, err, len(rc.requests()))
	}
}

func TestListRemoveTestAndDeliveryHistory(t *testing.T) {
	ctx := context.Background()
	s := startService(t, webhooks.Config{})
	rc := newReceiver(t, nil)
	a := addEndpoint(t, s, "a", rc.url(), webhooks.TypeConnect)
	b := addEndpoint(t, s, "a", rc.url(), webhooks.TypeDisconnect)
	addEndpoint(t, s, "other", rc.url(), webhooks.TypeConnect)
	eps, err := s.Endpoints(ctx, "a")
	if err != nil || len(eps) != 2 || eps[0].ID != a.ID || eps[1].ID != b.ID || eps[0].Secret != a.Secret {
		t.Fatalf("Endpoints(a) = %+v, %v", eps, err)
	}
	if err := s.Remove(ctx, "other", a.ID); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("removing a's endpoint as another app: %v, want ErrNotFound", err)
	}
	if _, err := s.Test(ctx, "other", a.ID); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("testing a's endpoint as another app: %v, want ErrNotFound", err)
	}
	for range webhooks.KeepDeliveries + 5 {
		dl, err := s.Test(ctx, "a", a.ID)
		if err != nil || !dl.OK() || dl.Type != webhooks.TypeTest {
			t.Fatalf("Test: %+v %v", dl, err)
		}
	}
	verifyAll(t, a.Secret, rc.requests())
	ds, err := s.Deliveries(ctx, a.ID)
	if err != nil || len(ds) != webhooks.KeepDeliveries {
		t.Errorf("%d deliveries kept (%v), want %d", len(ds), err, webhooks.KeepDeliveries)
	}
	if err := s.Remove(ctx, "a", a.ID); err != nil {
		t.Fatal(err)
	}
	if eps, _ := s.Endpoints(ctx, "a"); len(eps) != 1 || eps[0].ID != b.ID {
		t.Errorf("after Remove: %+v", eps)
	}
	if ds, _ := s.Deliveries(ctx, a.ID); len(ds) != 0 {
		t.Errorf("a removed endpoint keeps %d deliveries", len(ds))
	}
	if connectEvent(s, "a", 0) {
		t.Error("connect event queued for a removed endpoint")
	}
}
