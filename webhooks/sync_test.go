package webhooks_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// syncEnv is an engine with the webhooks service hooked in, over real
// WebSockets, and two apps: "hooked" has an endpoint for every event type
// at url (newSyncEnv: a closed port, with long backoff, so the rows stay
// in the outbox), "plain" has none.
type syncEnv struct {
	d             *sql.DB
	e             *engine.Engine
	ws            string
	hooked, plain engine.App
}

func newSyncEnv(t testing.TB) *syncEnv { return newSyncEnvURL(t, closedURL(t), engine.Limits{}) }

func newSyncEnvURL(t testing.TB, url string, limits engine.Limits) *syncEnv {
	ctx := context.Background()
	v := &syncEnv{d: dbtest.Open(t)}
	s, err := webhooks.New(ctx, webhooks.Config{DB: v.d, MinBackoff: time.Hour, MaxBackoff: time.Hour, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := engine.Config{DB: v.d, Limits: limits}
	s.Hook(&cfg)
	if v.e, err = engine.New(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.e.Handler())
	t.Cleanup(func() {
		v.e.Shutdown(ctx)
		srv.Close()
		s.Close()
	})
	v.ws = "ws" + strings.TrimPrefix(srv.URL, "http")
	if v.hooked, err = v.e.CreateApp(ctx, "hooked"); err != nil {
		t.Fatal(err)
	}
	if v.plain, err = v.e.CreateApp(ctx, "plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, webhooks.NewEndpoint{AppID: v.hooked.ID, URL: url, Events: webhooks.Types, Channels: "*"}); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *syncEnv) dial(t testing.TB, app engine.App, user string) *client.Client {
	t.Helper()
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: user}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(context.Background(), v.ws, tok)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// outbox lists the types of the outbox rows, oldest first.
func (v *syncEnv) outbox(t *testing.T) []string {
	t.Helper()
	rows, err := v.d.QueryContext(context.Background(), `SELECT type FROM webhook_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var types []string
	for rows.Next() {
		var typ string
		rows.Scan(&typ)
		types = append(types, typ)
	}
	return types
}

// TestAcknowledgedEventsAreInTheOutbox checks, right after each
// acknowledgement (a reply to the client, a server API call returning),
// that the action's events are committed rows of the outbox: a kill -9 at
// that moment would lose none of them.
func TestAcknowledgedEventsAreInTheOutbox(t *testing.T) {
	v := newSyncEnv(t)
	ctx := context.Background()
	var want []string
	check := func(step string, types ...string) {
		t.Helper()
		want = append(want, types...)
		if got := v.outbox(t); !slices.Equal(got, want) {
			t.Fatalf("after %s the outbox holds %q, want %q", step, got, want)
		}
	}
	alice := v.dial(t, v.hooked, "alice")
	check("connect", "connect")
	sub, err := alice.Subscribe(ctx, "room", func(client.Message) {})
	if err != nil {
		t.Fatal(err)
	}
	check("subscribe", "channel.occupied", "subscribe", "presence.join")
	if _, err := alice.Publish(ctx, "room", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	check("publish", "publish")
	if r, err := alice.SendPeer(ctx, "bob", "hi"); err != nil || r.Status != "stored" {
		t.Fatalf("peer to offline bob: %+v, %v", r, err)
	}
	check("peer message", "peer.stored")
	if err := sub.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	check("unsubscribe", "unsubscribe", "channel.vacated", "presence.leave")

	if _, err := v.e.Publish(ctx, v.hooked.ID, "news", json.RawMessage(`{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	check("server API publish", "publish")
	if _, errs := v.e.Broadcast(ctx, v.hooked.ID, []string{"a", "bad channel", "b"}, json.RawMessage(`{"n":3}`)); errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("Broadcast errors %v, want only the second", errs)
	}
	check("server API broadcast", "publish", "publish")
	if r, err := v.e.SendPeer(ctx, v.hooked.ID, "bob", json.RawMessage(`"hi"`), true); err != nil || r.Status != engine.PeerStored {
		t.Fatalf("server peer to offline bob: %+v, %v", r, err)
	}
	check("server API peer message", "peer.stored")
	if _, err := alice.Subscribe(ctx, "room", func(client.Message) {}); err != nil {
		t.Fatal(err)
	}
	check("subscribe again", "channel.occupied", "subscribe", "presence.join")
	if n, err := v.e.UnsubscribeUser(ctx, v.hooked.ID, "alice", "room"); err != nil || n != 1 {
		t.Fatalf("UnsubscribeUser: %d, %v", n, err)
	}
	check("server API unsubscribe", "unsubscribe", "channel.vacated", "presence.leave")
}

// TestRepliesWaitForTheOutboxCommit holds SQLite's write lock, so the
// outbox cannot commit: the hooked app's subscribe reply waits until the
// lock is released (and its events are then committed), while the plain
// app's subscribe, which has no events to store, answers at once.
func TestRepliesWaitForTheOutboxCommit(t *testing.T) {
	v := newSyncEnv(t)
	ctx := context.Background()
	hooked := v.dial(t, v.hooked, "alice")
	plain := v.dial(t, v.plain, "carol")
	before := len(v.outbox(t))

	tx, err := v.d.BeginTx(ctx, nil) // BEGIN IMMEDIATE (db.Open): the write lock
	if err != nil {
		t.Fatal(err)
	}
	const hold = 300 * time.Millisecond
	start := time.Now()
	if _, err := plain.Subscribe(ctx, "room", func(client.Message) {}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > hold/2 {
		t.Errorf("the plain app's subscribe took %v while the outbox was locked; it has no webhooks and must not wait", d)
	}
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(hold)
		released <- time.Now()
		tx.Rollback()
	}()
	if _, err := hooked.Subscribe(ctx, "room", func(client.Message) {}); err != nil {
		t.Fatal(err)
	}
	replied := time.Now()
	if at := <-released; replied.Before(at) {
		t.Errorf("the hooked app's subscribe was answered %v before the outbox could commit", at.Sub(replied))
	}
	if got := v.outbox(t)[before:]; !slices.Equal(got, []string{"channel.occupied", "subscribe", "presence.join"}) {
		t.Errorf("outbox after the reply: %q", got)
	}
}
