package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
)

func TestAckedDelivery(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.AckTimeout = 100 * time.Millisecond })
	a := v.app("demo")
	r := v.connect(a, "alice")
	wantCode(t, "subscribe", r.call("subscribe", map[string]any{"channel": "jobs", "ack": true}), 0)
	for i := 1; i <= 3; i++ {
		r.call("publish", map[string]any{"channel": "jobs", "data": i})
	}
	for i := 1; i <= 3; i++ {
		r.push("pub")
	}
	r.sendRaw(`{"op":"ack","channel":"jobs","offset":2}`)
	// Offset 3 was not acknowledged: it comes again, same offset.
	if f := r.push("pub"); f.num("offset") != 3 {
		t.Fatalf("redelivered %v, want offset 3", f)
	}
	r.sendRaw(`{"op":"ack","channel":"jobs","offset":3}`)
	r.noPush(300 * time.Millisecond)
	if v.e.Stats().Redeliveries == 0 {
		t.Fatal("no redeliveries counted")
	}
	// Without ack, no redelivery.
	r2 := v.connect(a, "bob")
	r2.call("subscribe", map[string]any{"channel": "plain"})
	r2.call("publish", map[string]any{"channel": "plain", "data": 1})
	r2.push("pub")
	r2.noPush(300 * time.Millisecond)
}

func TestTooManyUnackedClosesConnection(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.MaxUnacked = 3 })
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("subscribe", map[string]any{"channel": "jobs", "ack": true})
	p := v.connect(a, "pub")
	for i := 1; i <= 4; i++ {
		p.call("publish", map[string]any{"channel": "jobs", "data": i})
	}
	if code := r.closeCode(); code != engine.CloseSlowConsumer {
		t.Fatalf("close code %d, want 4001", code)
	}
}

func TestKeepAlive(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) {
		c.Limits.PingInterval = 50 * time.Millisecond
		c.Limits.PongTimeout = 100 * time.Millisecond
		c.Limits.ConnectTimeout = 200 * time.Millisecond
	})
	a := v.app("demo")
	good := v.connect(a, "alice") // answers pings
	dead := v.connect(a, "bob")
	dead.noPong.Store(true)
	if code := dead.closeCode(); code != engine.CloseNoPong {
		t.Fatalf("silent client closed with %d, want 4002", code)
	}
	healthy(t, good)
	if code := v.dial().closeCode(); code != engine.CloseConnectTimeout {
		t.Fatalf("unauthenticated socket closed with %d, want 4003", code)
	}
	time.Sleep(300 * time.Millisecond)
	healthy(t, good)
}

func TestTokenExpiryAndRefresh(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.ExpiringLead = time.Second })
	a, other := v.app("demo"), v.app("other")
	short := func(user string) string {
		tok, err := engine.MintToken(a.ID, a.Certificate, engine.Claims{Subject: user}, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	r := v.dial()
	wantCode(t, "connect", r.call("connect", map[string]any{"token": short("alice")}), 0)
	exp := r.push("expiring").num("expires_at")
	if exp < time.Now().Unix() {
		t.Fatalf("expiring push with expires_at %d in the past", exp)
	}
	wantCode(t, "refresh as bob", r.call("refresh", map[string]any{"token": v.token(a, "bob", nil)}), engine.CodeWrongUser)
	wantCode(t, "refresh for other app", r.call("refresh", map[string]any{"token": v.token(other, "alice", nil)}), engine.CodeWrongApp)
	wantCode(t, "refresh garbage", r.call("refresh", map[string]any{"token": "x.y.z"}), engine.CodeTokenMalformed)
	wantCode(t, "refresh missing", r.call("refresh", nil), engine.CodeBadRequest)
	rep := r.call("refresh", map[string]any{"token": v.token(a, "alice", nil)})
	wantCode(t, "refresh", rep, 0)
	if rep.sub("result").num("expires_at") < time.Now().Add(50*time.Minute).Unix() {
		t.Fatalf("refresh result %s", rep["result"])
	}

	lazy := v.dial()
	wantCode(t, "connect", lazy.call("connect", map[string]any{"token": short("carol")}), 0)
	if code := lazy.closeCode(); code != engine.CloseTokenExpired {
		t.Fatalf("unrefreshed client closed with %d, want 4005", code)
	}
	healthy(t, r) // the refreshed connection outlived its first token
}

func TestShutdownTellsClientsToReconnect(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	unauth := v.dial()
	done := make(chan error)
	go func() { done <- v.e.Shutdown(context.Background()) }()
	if f := r.push("shutdown"); f.num("reconnect_after_ms") <= 0 {
		t.Fatalf("shutdown push %v", f)
	}
	if code := r.closeCode(); code != engine.CloseShutdown {
		t.Fatalf("close code %d, want 4006", code)
	}
	if code := unauth.closeCode(); code != engine.CloseShutdown {
		t.Fatalf("unauthenticated close code %d, want 4006", code)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, _, err := websocket.Dial(context.Background(), v.url, nil); err == nil {
		t.Fatal("dial after shutdown succeeded")
	}
	if err := v.e.Shutdown(context.Background()); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("second shutdown: %v", err)
	}
}

func TestDeleteApp(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	a, keep := v.app("doomed"), v.app("kept")
	r, k := v.connect(a, "alice"), v.connect(keep, "alice")
	r.call("subscribe", map[string]any{"channel": "c"})
	r.call("publish", map[string]any{"channel": "c", "data": 1})
	r.call("peer", map[string]any{"to": "bob", "data": 1})
	k.call("publish", map[string]any{"channel": "c", "data": 1})

	if err := v.e.DeleteApp(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if code := r.closeCode(); code != engine.CloseAppDeleted {
		t.Fatalf("close code %d, want 4004", code)
	}
	healthy(t, k)
	if _, err := v.e.GetApp(ctx, a.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("GetApp after delete: %v", err)
	}
	if err := v.e.DeleteApp(ctx, a.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	for _, table := range []string{"engine_history", "engine_streams", "engine_offline"} {
		var n int
		v.db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %s WHERE app_id = ?`, table), a.ID).Scan(&n)
		if n != 0 {
			t.Errorf("%s still has %d rows of the deleted app", table, n)
		}
	}
	if h, err := v.e.History(ctx, keep.ID, "c", engine.HistoryFilter{}); err != nil || len(h.Publications) != 1 {
		t.Errorf("other app's history: %d publications (%v), want 1", len(h.Publications), err)
	}
	if v.nats == nil {
		var n int
		v.db.QueryRow(`SELECT count(*) FROM engine_history WHERE app_id = ?`, keep.ID).Scan(&n)
		if n != 1 {
			t.Errorf("other app's history has %d rows, want 1", n)
		}
	}
	wantCode(t, "connect to deleted app", v.dial().call("connect", map[string]any{"token": v.token(a, "x", nil)}), engine.CodeAppNotFound)
}

func TestApps(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	if _, err := v.e.CreateApp(ctx, "  "); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	a, b := v.app("first"), v.app("second")
	if a.ID == b.ID || a.Certificate == b.Certificate || len(a.ID) != 32 || len(a.Certificate) != 64 {
		t.Fatalf("ids %q %q certs %q %q", a.ID, b.ID, a.Certificate, b.Certificate)
	}
	apps, err := v.e.ListApps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 || apps[0].Name != "first" || apps[1].Name != "second" {
		t.Fatalf("ListApps: %+v", apps)
	}
	got, err := v.e.GetApp(ctx, a.ID)
	if err != nil || got.Certificate != a.Certificate || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("GetApp: %+v %v, want %+v", got, err, a)
	}
	if _, err := v.e.GetApp(ctx, "missing"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("GetApp missing: %v", err)
	}
}

func TestServerPublishAndDropFilter(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) {
		c.DropFilter = func(app, channel string) bool { return channel == "faulty" }
	})
	ctx := context.Background()
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("subscribe", map[string]any{"channel": "faulty"})
	r.call("subscribe", map[string]any{"channel": "fine"})
	for _, ch := range []string{"faulty", "fine"} {
		if _, err := v.e.Publish(ctx, a.ID, ch, []byte(`{"probe":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	f := r.push("pub")
	if f.str("channel") != "fine" || f.str("from") != "" {
		t.Fatalf("got %v, want only the fine channel's publication", f)
	}
	r.noPush(100 * time.Millisecond)
	if st := v.e.Stats(); st.Dropped != 1 || st.Published != 2 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := v.e.Publish(ctx, a.ID, "bad name", []byte(`1`)); err == nil {
		t.Fatal("invalid channel accepted")
	}
	if _, err := v.e.Publish(ctx, "nope", "c", []byte(`1`)); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown app: %v", err)
	}
}

func TestEventCallbacks(t *testing.T) {
	events := make(chan string, 10)
	v := newEnv(t, func(c *engine.Config) {
		c.OnConnect = func(ev engine.ConnectEvent) { events <- "connect " + ev.UserID }
		c.OnDisconnect = func(ev engine.DisconnectEvent) { events <- fmt.Sprint("disconnect ", ev.UserID, " ", ev.Code) }
		c.OnPublish = func(ev engine.PublishEvent) {
			events <- fmt.Sprint("publish ", ev.UserID, " ", ev.Channel, " ", ev.Offset, " ", ev.Size)
		}
	})
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("publish", map[string]any{"channel": "c", "data": "hey"})
	v.e.Publish(context.Background(), a.ID, "c", []byte(`1`))
	v.e.DeleteApp(context.Background(), a.ID)
	r.closeCode()
	for _, want := range []string{"connect alice", "publish alice c 1 5", "publish  c 2 1", "disconnect alice 4004"} {
		select {
		case got := <-events:
			if got != want {
				t.Fatalf("event %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q event", want)
		}
	}
}

func TestOriginPatterns(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.OriginPatterns = []string{"app.example.com"} })
	dial := func(origin string) error {
		h := http.Header{}
		h.Set("Origin", origin)
		ws, _, err := websocket.Dial(context.Background(), v.url, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			ws.CloseNow()
		}
		return err
	}
	if err := dial("https://app.example.com"); err != nil {
		t.Fatalf("allowed origin refused: %v", err)
	}
	if err := dial("https://evil.example.net"); err == nil {
		t.Fatal("foreign origin accepted")
	}
	open := newEnv(t, func(c *engine.Config) { c.OriginPatterns = []string{"*"} })
	h := http.Header{}
	h.Set("Origin", "https://anywhere.example.org")
	ws, _, err := websocket.Dial(context.Background(), open.url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf(`"*" refused an origin: %v`, err)
	}
	ws.CloseNow()
}
