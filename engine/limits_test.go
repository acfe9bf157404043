package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
)

// healthy asserts the connection still works after an error.
func healthy(t *testing.T, r *raw) {
	t.Helper()
	wantCode(t, "history after error", r.call("history", map[string]any{"channel": "ok"}), 0)
}

func TestBadFramesKeepConnectionHealthy(t *testing.T) {
	v := newEnv(t, nil)
	r := v.connect(v.app("demo"), "alice")
	for _, tc := range []struct {
		name  string
		frame string
		want  engine.Code
	}{
		{"bad JSON", `{"id":1,"op":`, engine.CodeBadRequest},
		{"not an object", `[1,2,3]`, engine.CodeBadRequest},
		{"string id", `{"id":"x","op":"publish"}`, engine.CodeBadRequest},
		{"missing op", `{"channel":"x"}`, engine.CodeBadRequest},
		{"missing id", `{"op":"publish","channel":"c","data":1}`, engine.CodeBadRequest},
		{"id too big", `{"id":9007199254740992,"op":"publish"}`, engine.CodeBadRequest},
		{"ack of unknown channel", `{"op":"ack","channel":"nope","offset":1}`, engine.CodeNotSubscribed},
		{"peer_ack without id", `{"op":"peer_ack"}`, engine.CodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.sendRaw(tc.frame)
			f := r.push("error")
			if got := engine.Code(f.code()); got != tc.want {
				t.Fatalf("got error push %v, want code %d", f, tc.want)
			}
			healthy(t, r)
		})
	}
	t.Run("unknown op", func(t *testing.T) {
		rep := r.call("teleport", nil)
		wantCode(t, "unknown op", rep, engine.CodeUnknownOp)
		healthy(t, r)
	})
	t.Run("binary frame", func(t *testing.T) {
		r.ws.Write(context.Background(), websocket.MessageBinary, []byte(`{"id":99,"op":"history","channel":"x"}`))
		if f := r.push("error"); engine.Code(f.code()) != engine.CodeBinaryFrame {
			t.Fatalf("got %v, want binary_frame", f)
		}
		healthy(t, r)
	})
}

func TestMessageSizeLimits(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("subscribe", map[string]any{"channel": "big"})
	// Exactly at the limit (a JSON string of 32768 bytes including quotes) is fine.
	wantCode(t, "32 KiB", r.call("publish", map[string]any{"channel": "big", "data": strings.Repeat("x", 32*1024-2)}), 0)
	if got := len(r.push("pub")["data"]); got != 32*1024 {
		t.Fatalf("delivered %d bytes", got)
	}
	wantCode(t, "one byte over", r.call("publish", map[string]any{"channel": "big", "data": strings.Repeat("x", 32*1024-1)}), engine.CodeMessageTooLarge)
	healthy(t, r)
	// A frame over the frame limit closes the socket with 1009; others are unaffected.
	other := v.connect(a, "bob")
	r.start("publish", map[string]any{"channel": "big", "data": strings.Repeat("x", 70*1024)})
	if code := r.closeCode(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
	healthy(t, other)
}

func TestPublishRateLimit(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	v := newEnv(t, func(c *engine.Config) { // a frozen clock: no refill unless the test moves it
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	a := v.app("demo")
	r := v.connect(a, "alice")
	limited := 0
	var waits []chan frame
	for i := 0; i < 70; i++ { // pipelined, so the server sees them back to back
		waits = append(waits, r.start("publish", map[string]any{"channel": "c", "data": i}))
	}
	for _, w := range waits {
		rep := r.wait(w)
		if engine.Code(rep.code()) == engine.CodeRateLimited {
			limited++
		} else {
			wantCode(t, "publish", rep, 0)
		}
	}
	if limited != 10 {
		t.Fatalf("%d of 70 rapid publishes were limited, want 10 (burst 60)", limited)
	}
	healthy(t, r)
	// Tokens come back at 60/s.
	mu.Lock()
	now = now.Add(100 * time.Millisecond)
	mu.Unlock()
	wantCode(t, "after refill", r.call("publish", map[string]any{"channel": "c", "data": "again"}), 0)
	// Peer messages share the bucket.
	waits = waits[:0]
	for i := 0; i < 70; i++ {
		waits = append(waits, r.start("peer", map[string]any{"to": "bob", "data": i, "store": false}))
	}
	for _, w := range waits {
		r.wait(w)
	}
	wantCode(t, "peer", r.call("peer", map[string]any{"to": "bob", "data": 1}), engine.CodeRateLimited)
}

func TestPerAppLimitOverrides(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	a, err := v.e.CreateApp(ctx, "sandbox", engine.WithAppLimits(engine.AppLimits{MaxConns: 2, PublishRate: 2, PublishBurst: 2}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := v.e.GetApp(ctx, a.ID)
	if got.Limits != (engine.AppLimits{MaxConns: 2, PublishRate: 2, PublishBurst: 2}) {
		t.Fatalf("stored limits %+v", got.Limits)
	}
	r := v.connect(a, "u1")
	v.connect(a, "u2")
	third := v.dial()
	wantCode(t, "third connection", third.call("connect", map[string]any{"token": v.token(a, "u3", nil)}), engine.CodeTooManyConns)
	res := r.call("history", map[string]any{"channel": "x"})
	wantCode(t, "still fine", res, 0)
	for i := 0; i < 2; i++ {
		wantCode(t, "publish in burst", r.call("publish", map[string]any{"channel": "c", "data": i}), 0)
	}
	wantCode(t, "third publish", r.call("publish", map[string]any{"channel": "c", "data": 3}), engine.CodeRateLimited)

	if err := v.e.SetAppLimits(ctx, a.ID, engine.AppLimits{MaxConns: 3}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "after raising the limit", third.call("connect", map[string]any{"token": v.token(a, "u3", nil)}), 0)
	if err := v.e.SetAppLimits(ctx, "nope", engine.AppLimits{}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("SetAppLimits unknown app: %v", err)
	}
}

func TestTooManySubscriptions(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.MaxSubscriptionsPerConn = 3 })
	r := v.connect(v.app("demo"), "alice")
	for _, ch := range []string{"a", "b", "c"} {
		wantCode(t, "subscribe "+ch, r.call("subscribe", map[string]any{"channel": ch}), 0)
	}
	wantCode(t, "fourth", r.call("subscribe", map[string]any{"channel": "d"}), engine.CodeTooManySubs)
	r.call("unsubscribe", map[string]any{"channel": "a"})
	wantCode(t, "after unsubscribe", r.call("subscribe", map[string]any{"channel": "d"}), 0)
}

func TestSlowConsumerIsDisconnectedWithoutBlockingOthers(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) {
		c.Limits.SendQueueLen = 8
		c.Limits.PublishRate = 1e6
	})
	a := v.app("demo")
	fast := v.connect(a, "fast")
	fast.call("subscribe", map[string]any{"channel": "firehose"})

	// The slow client subscribes, then stops reading.
	ws, _, err := websocket.Dial(context.Background(), v.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	send := func(s string) { ws.Write(context.Background(), websocket.MessageText, []byte(s)) }
	send(`{"id":1,"op":"connect","token":"` + v.token(a, "slow", nil) + `"}`)
	send(`{"id":2,"op":"subscribe","channel":"firehose"}`)
	time.Sleep(100 * time.Millisecond)

	pub := v.connect(a, "pub")
	payload := strings.Repeat("x", 30*1024)
	const n = 600 // 18 MB: more than loopback socket buffers hold
	fastGot := make(chan int)
	go func() {
		got := 0
		for i := 0; i < n; i++ {
			pub.start("publish", map[string]any{"channel": "firehose", "data": payload})
			select {
			case f := <-fast.pushes:
				if f.str("type") == "pub" {
					got++
				}
			case <-time.After(5 * time.Second):
			}
		}
		fastGot <- got
	}()
	waitFor(t, "slow consumer counted", func() bool { return v.e.Stats().SlowConsumers > 0 })
	// Now read: frames that were in flight, then close code 4001 (the
	// server waits up to 5 s for the close frame to get through).
	for {
		_, _, err := ws.Read(context.Background())
		if err != nil {
			if got := websocket.CloseStatus(err); got != engine.CloseSlowConsumer {
				t.Fatalf("slow client closed with %v, want 4001", err)
			}
			break
		}
	}
	if got := <-fastGot; got != n {
		t.Fatalf("fast subscriber got %d of %d while the slow one lagged", got, n)
	}
	healthy(t, fast)

	// Usage accounting: what the slow consumer lost is due and not
	// delivered, and its 4001 is counted.
	waitFor(t, "the slow client gone", func() bool { return v.e.AppConnections(a.ID) == 2 })
	for _, u := range v.e.TakeUsage() {
		if u.AppID != a.ID {
			continue
		}
		if u.Deliveries < n || u.Deliveries >= u.DeliveriesDue || u.DeliveriesDue > 2*n {
			t.Errorf("due %d, delivered %d: want at least the fast subscriber's %d delivered and fewer than due", u.DeliveriesDue, u.Deliveries, n)
		}
		if u.Disconnects[engine.CloseSlowConsumer] != 1 {
			t.Errorf("disconnects %v, want one 4001", u.Disconnects)
		}
	}
}

func TestConnectionsCounted(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	if got := v.e.Stats().Connections; got != 1 {
		t.Fatalf("connections %d", got)
	}
	r.call("subscribe", map[string]any{"channel": "c"})
	r.call("publish", map[string]any{"channel": "c", "data": json.RawMessage(`1`)})
	r.push("pub")
	st := v.e.Stats()
	if st.Published != 1 || st.Deliveries != 1 || st.Subscriptions != 1 {
		t.Fatalf("stats %+v", st)
	}
	r.ws.CloseNow()
	waitFor(t, "disconnect", func() bool { s := v.e.Stats(); return s.Connections == 0 && s.Subscriptions == 0 })
}

func TestStorageFailureIsInternalError(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	wantCode(t, "publish", r.call("publish", map[string]any{"channel": "c", "data": 1}), 0)
	if v.nats != nil {
		// On a cluster, publications are stored in JetStream: without
		// it a publish fails fast with the documented "unavailable".
		v.nats.Shutdown()
		wantCode(t, "publish without NATS", r.call("publish", map[string]any{"channel": "c", "data": 2}), engine.CodeUnavailable)
		wantCode(t, "history without NATS", r.call("history", map[string]any{"channel": "c"}), engine.CodeUnavailable)
		// Peer messages are routed and stored through NATS too.
		wantCode(t, "peer without NATS", r.call("peer", map[string]any{"to": "bob", "data": 2}), engine.CodeUnavailable)
		return
	}
	v.db.Close() // the disk goes away
	wantCode(t, "publish without storage", r.call("publish", map[string]any{"channel": "c", "data": 2}), engine.CodeInternal)
	wantCode(t, "peer without storage", r.call("peer", map[string]any{"to": "bob", "data": 2}), engine.CodeInternal)
	// Nothing unstored was delivered or counted, and the connection still works.
	res := r.call("history", map[string]any{"channel": "c"}).sub("result")
	if res.num("offset") != 1 {
		t.Fatalf("position after failed publish: %v", res)
	}
}
