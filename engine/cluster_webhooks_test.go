package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// hookReceiver is a real HTTP webhook endpoint that keeps the presence
// events it is sent as "type user channel client".
type hookReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Type string
			Data struct{ Channel, User, Client string }
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("webhook body %q: %v", body, err)
		}
		h.mu.Lock()
		h.got = append(h.got, fmt.Sprintf("%s %s %s %s", ev.Type, ev.Data.User, ev.Data.Channel, ev.Data.Client))
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// events lists the events of type typ received so far, sorted.
func (h *hookReceiver) events(typ string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.got {
		var t string
		fmt.Sscan(e, &t)
		if t == typ {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// connectID dials node v, connects as user and returns the client ID.
func connectID(t *testing.T, v *env, a engine.App, user string) (*raw, string) {
	t.Helper()
	r := v.dial()
	rep := r.call("connect", map[string]any{"token": v.token(a, user, nil)})
	wantCode(t, "connect", rep, 0)
	return r, rep.sub("result").str("client")
}

// A node that dies (no orderly leave, no webhooks of its own any more)
// has its clients removed by the live nodes' sweeps, and the app's
// presence.leave webhook comes once per user and channel the dead node's
// clients were the last ones in: from the node whose compare-and-set
// removed them, not from every node that swept.
func TestClusterPresenceLeaveWebhooksOfDeadNode(t *testing.T) {
	ctx := context.Background()
	var services []*webhooks.Service
	nodes := newCluster(t, 3, func(c *engine.Config) {
		s, err := webhooks.New(ctx, webhooks.Config{DB: dbtest.Open(t), MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		s.Hook(c)
		services = append(services, s)
	})
	a := clusterApp(t, nodes, "demo")
	rc := newHookReceiver(t)
	for _, s := range services {
		if _, err := s.Add(ctx, webhooks.NewEndpoint{AppID: a.ID, URL: rc.srv.URL, Events: []string{webhooks.TypePresenceJoin, webhooks.TypePresenceLeave}}); err != nil {
			t.Fatal(err)
		}
	}
	dead, live := nodes[1], nodes[0]
	subscribe := func(r *raw, channels ...string) {
		t.Helper()
		for _, ch := range channels {
			wantCode(t, "subscribe", r.call("subscribe", map[string]any{"channel": ch}), 0)
		}
	}
	bob, bobID := connectID(t, dead, a, "bob")
	subscribe(bob, "room")
	dave, daveID := connectID(t, dead, a, "dave")
	subscribe(dave, "room", "lobby")
	erin1, erin1ID := connectID(t, dead, a, "erin") // two connections, both on the dead node
	erin2, erin2ID := connectID(t, dead, a, "erin")
	subscribe(erin1, "room")
	subscribe(erin2, "room")
	carol1, carol1ID := connectID(t, dead, a, "carol") // and one on a live node: carol stays
	carol2, carol2ID := connectID(t, live, a, "carol")
	subscribe(carol1, "room")
	subscribe(carol2, "room")
	waitFor(t, "5 presence.join webhooks", func() bool { return len(rc.events(webhooks.TypePresenceJoin)) == 5 })

	// Node B dies: its webhooks stop with it, and it tells NATS nothing.
	services[1].Close()
	start := time.Now()
	dead.presence.Crash()
	dead.presenceConn.Close()
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	dead.e.Shutdown(sctx) // its clients' sockets close; their leaves cannot be written
	dead.srv.Close()

	want := []string{
		"presence.leave bob room " + bobID,
		"presence.leave dave lobby " + daveID,
		"presence.leave dave room " + daveID,
		"presence.leave erin room " + max(erin1ID, erin2ID),
	}
	slices.Sort(want)
	// testHeartbeat and testNodeTTL in tests (5 s and 15 s by default).
	bound := testNodeTTL + testHeartbeat + 2*time.Second
	waitForWithin(t, bound+2*time.Second, "the dead node's leave webhooks", func() bool { return len(rc.events(webhooks.TypePresenceLeave)) >= len(want) })
	if d := time.Since(start); d > bound {
		t.Errorf("leave webhooks after %v", d)
	}
	time.Sleep(time.Second) // more sweeps, by both live nodes
	if got := rc.events(webhooks.TypePresenceLeave); !slices.Equal(got, want) {
		t.Fatalf("leave webhooks\n got %q\nwant %q\n(carol: %s on the dead node, %s on a live one)", got, want, carol1ID, carol2ID)
	}
	if got := members(t, carol2, "room"); got != "carol:1" {
		t.Fatalf("presence after the node died %q", got)
	}
}
