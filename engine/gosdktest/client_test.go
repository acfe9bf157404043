package gosdktest_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

func TestErrorCodesMatchEngine(t *testing.T) {
	for _, tc := range []struct {
		sdk  *client.Error
		code engine.Code
	}{
		{client.ErrInternal, engine.CodeInternal},
		{client.ErrBadRequest, engine.CodeBadRequest},
		{client.ErrUnknownOp, engine.CodeUnknownOp},
		{client.ErrBinaryFrame, engine.CodeBinaryFrame},
		{client.ErrNotConnected, engine.CodeNotConnected},
		{client.ErrAlreadyConnected, engine.CodeAlreadyConnect},
		{client.ErrTokenMalformed, engine.CodeTokenMalformed},
		{client.ErrTokenExpired, engine.CodeTokenExpired},
		{client.ErrTokenSignature, engine.CodeTokenSignature},
		{client.ErrAppNotFound, engine.CodeAppNotFound},
		{client.ErrWrongApp, engine.CodeWrongApp},
		{client.ErrWrongUser, engine.CodeWrongUser},
		{client.ErrChannelInvalid, engine.CodeChannelInvalid},
		{client.ErrPermissionDenied, engine.CodePermission},
		{client.ErrAlreadySubscribed, engine.CodeAlreadySubbed},
		{client.ErrNotSubscribed, engine.CodeNotSubscribed},
		{client.ErrMessageTooLarge, engine.CodeMessageTooLarge},
		{client.ErrRateLimited, engine.CodeRateLimited},
		{client.ErrTooManySubscriptions, engine.CodeTooManySubs},
		{client.ErrTooManyConnections, engine.CodeTooManyConns},
		{client.ErrUserInvalid, engine.CodeUserInvalid},
		{client.ErrStateInvalid, engine.CodeStateInvalid},
		{client.ErrShuttingDown, engine.CodeShuttingDown},
		{client.ErrUnavailable, engine.CodeUnavailable},
	} {
		if tc.sdk.Code != int(tc.code) || tc.sdk.Message != tc.code.String() {
			t.Errorf("SDK %d %q, engine %d %q", tc.sdk.Code, tc.sdk.Message, tc.code, tc.code)
		}
	}
	for code, want := range map[int]int{client.CloseSlowConsumer: engine.CloseSlowConsumer, client.CloseNoPong: engine.CloseNoPong,
		client.CloseConnectTimeout: engine.CloseConnectTimeout, client.CloseAppDeleted: engine.CloseAppDeleted,
		client.CloseTokenExpired: engine.CloseTokenExpired, client.CloseShutdown: engine.CloseShutdown,
		client.CloseUserDisconnected: engine.CloseUserDisconnected, client.CloseProtocolError: engine.CloseProtocolError,
		client.CloseFrameTooLarge: engine.CloseFrameTooLarge} {
		if code != want {
			t.Errorf("close code %d, engine %d", code, want)
		}
	}
}

func TestDialErrors(t *testing.T) {
	te := newTestEngine(engine.Limits{})
	defer te.close()
	ctx := context.Background()
	expired, _ := engine.MintToken(te.app.ID, te.app.Certificate, engine.Claims{Subject: "a", ExpiresAt: time.Now().Add(-time.Minute)}, 0)
	forged, _ := engine.MintToken(te.app.ID, "wrong-cert", engine.Claims{Subject: "a"}, time.Hour)
	for _, tc := range []struct {
		name  string
		token string
		opts  []client.Option
		want  error
	}{
		{"expired", expired, nil, client.ErrTokenExpired},
		{"forged", forged, nil, client.ErrTokenSignature},
		{"garbage", "garbage", nil, client.ErrTokenMalformed},
		{"wrong app", te.token(t, "a", time.Hour), []client.Option{client.WithApp("other")}, client.ErrWrongApp},
	} {
		_, err := client.Dial(ctx, te.url, tc.token, tc.opts...)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Message == "" {
			t.Errorf("%s: %v is not a *client.Error with a message", tc.name, err)
		}
	}
	if _, err := client.Dial(ctx, "ws://127.0.0.1:1/v1/ws", "x"); err == nil {
		t.Error("dial to a closed port succeeded")
	}
}

func TestOperationErrors(t *testing.T) {
	te := newTestEngine(engine.Limits{PublishRate: 5, PublishBurst: 5})
	defer te.close()
	ctx := context.Background()
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Publish(ctx, "news", strings.Repeat("x", 40000)); !errors.Is(err, client.ErrMessageTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	if _, err := c.Publish(ctx, "bad name", 1); !errors.Is(err, client.ErrChannelInvalid) {
		t.Errorf("bad channel: %v", err)
	}
	if err := c.SetState(ctx, "room", nil); !errors.Is(err, client.ErrNotSubscribed) {
		t.Errorf("set state unsubscribed: %v", err)
	}
	if _, err := c.Subscribe(ctx, "x", func(client.Message) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, "x", func(client.Message) {}); !errors.Is(err, client.ErrAlreadySubscribed) {
		t.Errorf("double subscribe: %v", err)
	}
	var limited error
	for i := 0; i < 10 && limited == nil; i++ {
		_, limited = c.Publish(ctx, "x", i)
	}
	if !errors.Is(limited, client.ErrRateLimited) {
		t.Errorf("rate: %v", limited)
	}
	r, err := c.SendPeer(ctx, "nobody", 1, client.WithoutStore())
	if err == nil && (r.Status != client.Failed || r.Reason != "offline") {
		t.Errorf("peer without store: %+v", r)
	}
	c.Close()
	if _, err := c.Publish(ctx, "x", 1); !errors.Is(err, client.ErrClosed) {
		t.Errorf("after close: %v", err)
	}
}

func TestReconnectAfterServerRestart(t *testing.T) {
	te := newTestEngine(engine.Limits{ShutdownReconnectDelay: 20 * time.Millisecond})
	defer te.close()
	ctx := context.Background()
	var connects, disconnects atomic.Int32
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour),
		client.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		client.WithOnConnect(func(client.Info) { connects.Add(1) }),
		client.WithOnDisconnect(func(error) { disconnects.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := make(chan client.Message, 10)
	recovered := make(chan client.Recovery, 1)
	if _, err := c.SubscribeChan(ctx, "room", msgs, client.WithOnResubscribe(func(r client.Recovery) { recovered <- r })); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, "room", "before"); err != nil {
		t.Fatal(err)
	}
	<-msgs
	te.restart()
	te.e.Publish(ctx, te.app.ID, "room", []byte(`"while away"`)) // published before the client is back
	select {
	case r := <-recovered:
		if !r.Recovered || r.Missed != 1 {
			t.Fatalf("recovery %+v, want complete with 1 missed", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no resubscribe")
	}
	if m := <-msgs; string(m.Data) != `"while away"` || m.Offset != 2 {
		t.Fatalf("recovered %s at %d", m.Data, m.Offset)
	}
	// Calls work again once reconnected.
	if _, err := c.Publish(ctx, "room", "after"); err != nil {
		t.Fatal(err)
	}
	if m := <-msgs; string(m.Data) != `"after"` {
		t.Fatalf("got %s", m.Data)
	}
	if connects.Load() != 2 || disconnects.Load() != 1 {
		t.Fatalf("connects %d disconnects %d, want 2 and 1", connects.Load(), disconnects.Load())
	}
}

func TestTokenRenewedWithoutReconnect(t *testing.T) {
	te := newTestEngine(engine.Limits{ExpiringLead: time.Second})
	defer te.close()
	ctx := context.Background()
	var renewals, connects atomic.Int32
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", 2*time.Second),
		client.WithTokenRefresher(func(ctx context.Context) (string, error) {
			renewals.Add(1)
			return te.token(t, "alice", time.Hour), nil
		}),
		client.WithOnConnect(func(client.Info) { connects.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first := c.Info().ExpiresAt
	eventually(t, "the first token's expiry passes after its renewal", func() bool {
		return renewals.Load() == 1 && time.Now().After(first.Add(100*time.Millisecond))
	})
	if _, err := c.Publish(ctx, "x", 1); err != nil {
		t.Fatal(err)
	}
	if renewals.Load() != 1 || connects.Load() != 1 {
		t.Fatalf("renewals %d connects %d, want 1 and 1 (no reconnect)", renewals.Load(), connects.Load())
	}
	if !c.Info().ExpiresAt.After(first.Add(time.Minute)) {
		t.Fatalf("expiry %v not extended from %v", c.Info().ExpiresAt, first)
	}
}

func TestAppDeletedStopsClient(t *testing.T) {
	te := newTestEngine(engine.Limits{})
	defer te.close()
	ctx := context.Background()
	gone := make(chan error, 1)
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour), client.WithOnDisconnect(func(err error) { gone <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	te.e.DeleteApp(ctx, te.app.ID)
	var ce *client.CloseError
	if err := <-gone; !errors.As(err, &ce) || ce.Code != client.CloseAppDeleted {
		t.Fatalf("disconnect reason %v, want close 4004", err)
	}
	if _, err := c.Publish(ctx, "x", 1); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("publish after app deletion: %v", err)
	}
}

func TestPresenceEventsAndState(t *testing.T) {
	te := newTestEngine(engine.Limits{})
	defer te.close()
	ctx := context.Background()
	events := make(chan client.PresenceEvent, 10)
	w, err := client.Dial(ctx, te.url, te.token(t, "watcher", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Subscribe(ctx, "room", func(client.Message) {}, client.WithPresenceEvents(func(e client.PresenceEvent) { events <- e })); err != nil {
		t.Fatal(err)
	}
	<-events // own join
	a, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	a.Subscribe(ctx, "room", func(client.Message) {})
	a.SetState(ctx, "room", map[string]string{"typing": "yes"})
	a.Close()
	var got []string
	for i := 0; i < 3; i++ {
		e := <-events
		got = append(got, e.Type+":"+e.User+":"+e.State["typing"])
	}
	if strings.Join(got, " ") != "join:alice: state:alice:yes leave:alice:" {
		t.Fatalf("events %v", got)
	}
}

// Many goroutines use one client at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	te := newTestEngine(engine.Limits{PublishRate: 10000, PublishBurst: 10000})
	defer te.close()
	ctx := context.Background()
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var received atomic.Int32
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := "ch" + string(rune('a'+g))
			if _, err := c.Subscribe(ctx, ch, func(client.Message) { received.Add(1) }); err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 50; i++ {
				if _, err := c.Publish(ctx, ch, i); err != nil {
					t.Error(err)
					return
				}
			}
			if _, err := c.History(ctx, ch, client.HistoryOptions{}); err != nil {
				t.Error(err)
			}
			c.Presence(ctx, ch)
		}()
	}
	wg.Wait()
	eventually(t, "400 messages received", func() bool { return received.Load() >= 400 })
	if got := received.Load(); got != 400 {
		t.Fatalf("received %d of 400", got)
	}
}

// freezer relays TCP and can stop relaying without closing anything, like
// a network path that silently drops packets.
type freezer struct {
	l       net.Listener
	frozen  atomic.Bool
	relayed atomic.Int64 // reads relayed from the server to the client
}

func newFreezer(t *testing.T, target string) *freezer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{l: l}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			t.Cleanup(func() { in.Close(); out.Close() })
			relay := func(dst, src net.Conn, count *atomic.Int64) {
				buf := make([]byte, 4096)
				for {
					n, err := src.Read(buf)
					if err != nil {
						return
					}
					for f.frozen.Load() {
						time.Sleep(10 * time.Millisecond)
					}
					dst.Write(buf[:n])
					if count != nil {
						count.Add(1)
					}
				}
			}
			go relay(out, in, nil)
			go relay(in, out, &f.relayed)
		}
	}()
	return f
}

func TestSilentServerIsDetected(t *testing.T) {
	te := newTestEngine(engine.Limits{PingInterval: 100 * time.Millisecond, PongTimeout: 100 * time.Millisecond})
	defer te.close()
	f := newFreezer(t, te.srv.Listener.Addr().String())
	url := "ws://" + f.l.Addr().String() + "/v1/ws"
	reasons := make(chan error, 4)
	c, err := client.Dial(context.Background(), url, te.token(t, "alice", time.Hour),
		client.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		client.WithOnDisconnect(func(err error) { reasons <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Pings flow for several pong timeouts: still connected.
	from := f.relayed.Load()
	eventually(t, "four pings", func() bool { return f.relayed.Load() >= from+4 })
	if !c.Connected() {
		t.Fatal("disconnected while pings flowed")
	}
	f.frozen.Store(true)
	select {
	case err := <-reasons:
		if err == nil {
			t.Fatal("nil disconnect reason")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("silent server not detected")
	}
	f.frozen.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Publish(ctx, "x", 1); err != nil {
		t.Fatalf("publish after reconnect: %v", err)
	}
}

func TestResubscribeRefusedEndsSubscription(t *testing.T) {
	te := newTestEngine(engine.Limits{ExpiringLead: time.Second, ShutdownReconnectDelay: 10 * time.Millisecond})
	defer te.close()
	ctx := context.Background()
	renewed := make(chan struct{}, 1)
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", 2*time.Second),
		client.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		client.WithTokenRefresher(func(context.Context) (string, error) {
			defer func() { renewed <- struct{}{} }()
			// The new token no longer allows "room".
			return engine.MintToken(te.app.ID, te.app.Certificate, engine.Claims{Subject: "alice", Subscribe: []string{"lobby"}}, time.Hour)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	results := make(chan client.Recovery, 1)
	if _, err := c.Subscribe(ctx, "room", func(client.Message) {}, client.WithOnResubscribe(func(r client.Recovery) { results <- r })); err != nil {
		t.Fatal(err)
	}
	first := c.Info().ExpiresAt
	<-renewed
	eventually(t, "the refresh reply", func() bool { return c.Info().ExpiresAt.After(first.Add(time.Minute)) })
	te.restart()
	select {
	case r := <-results:
		if !errors.Is(r.Err, client.ErrPermissionDenied) {
			t.Fatalf("recovery %+v, want ErrPermissionDenied", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no resubscribe result")
	}
	// The channel can be subscribed again once allowed; here it is not.
	if _, err := c.Subscribe(ctx, "room", func(client.Message) {}); !errors.Is(err, client.ErrPermissionDenied) {
		t.Fatalf("subscribe again: %v", err)
	}
}

// Subscribing from a saved position delivers exactly what came after it,
// however the reply and the recovered messages interleave in the client.
func TestSubscribeWithRecover(t *testing.T) {
	te := newTestEngine(engine.Limits{})
	defer te.close()
	ctx := context.Background()
	c, err := client.Dial(ctx, te.url, te.token(t, "alice", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var last client.Position
	for i := 1; i <= 3; i++ {
		if last, err = c.Publish(ctx, "log", i); err != nil {
			t.Fatal(err)
		}
	}
	for attempt := 0; attempt < 200; attempt++ {
		got := make(chan uint64, 8)
		s, err := c.Subscribe(ctx, "log", func(m client.Message) { got <- m.Offset }, client.WithRecover(client.Position{Offset: 1, Epoch: last.Epoch}))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []uint64{2, 3} {
			select {
			case o := <-got:
				if o != want {
					t.Fatalf("attempt %d: offset %d, want %d", attempt, o, want)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("attempt %d: offset %d never delivered", attempt, want)
			}
		}
		// The position advances once the handler has returned.
		deadline := time.Now().Add(2 * time.Second)
		for s.Position() != last && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if p := s.Position(); p != last {
			t.Fatalf("position %+v, want %+v", p, last)
		}
		s.Unsubscribe(ctx)
	}
	// Another epoch: nothing to recover, the position jumps to the channel's.
	s, err := c.Subscribe(ctx, "log", func(client.Message) {}, client.WithRecover(client.Position{Offset: 1, Epoch: "other"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Position(); p != last {
		t.Fatalf("position after epoch change %+v, want %+v", p, last)
	}
}

// eventually waits for cond, checking it every few milliseconds, and fails
// the test after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
