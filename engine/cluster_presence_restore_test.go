package engine_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-rtm/switchboard/engine"
)

// A node the others took for dead while it was alive (its heartbeat was
// late: a stalled process, a slow NATS) puts its clients back once its
// heartbeat is through again: the watchers see the leave, then the join,
// and presence lists the client again. The app's presence events pair
// up: bob's join, the leave reported by the node that removed him, and a
// join again from his own node.
func TestClusterPresenceNodeTakenForDead(t *testing.T) {
	var mu sync.Mutex
	var events []string
	record := func(what string) func(engine.PresenceEvent) {
		return func(ev engine.PresenceEvent) {
			mu.Lock()
			defer mu.Unlock()
			if ev.UserID == "bob" {
				events = append(events, what+" "+ev.Channel)
			}
		}
	}
	nodes := newCluster(t, 2, func(c *engine.Config) {
		c.OnPresenceJoin, c.OnPresenceLeave = record("join"), record("leave")
	})
	a := clusterApp(t, nodes, "demo")
	w := nodes[1].connect(a, "watcher")
	wantCode(t, "subscribe", w.call("subscribe", map[string]any{"channel": "room", "presence": true}), 0)
	presenceEvent(w)
	bob := nodes[0].connect(a, "bob")
	wantCode(t, "subscribe", bob.call("subscribe", map[string]any{"channel": "room"}), 0)
	if got := presenceEvent(w); got != "join bob" {
		t.Fatalf("%s, want bob's join", got)
	}

	// Node A's key keeps disappearing, as if its heartbeats came late.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	js, err := jetstream.New(dialNATS(t, nodes[0].natsURL()))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, engine.NATSNodesBucket)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			kv.Delete(ctx, nodes[0].presence.Instance())
			time.Sleep(10 * time.Millisecond)
		}
	}()
	got := presenceEvent(w)
	cancel()
	<-done
	if got != "leave bob" {
		t.Fatalf("%s, want bob's leave while node A looked dead", got)
	}
	if got := presenceEvent(w); got != "join bob" {
		t.Fatalf("%s, want bob back once node A's heartbeat is through", got)
	}
	waitFor(t, "presence to list bob again", func() bool { return members(t, w, "room") == "bob:1 watcher:1" })
	// Node A reports the join once its write is through, which node B's
	// watchers may see first.
	want := []string{"join room", "leave room", "join room"}
	bobEvents := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(events)
	}
	for deadline := time.Now().Add(5 * time.Second); !slices.Equal(bobEvents(), want) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := bobEvents(); !slices.Equal(got, want) {
		t.Errorf("bob's presence events %q, want %q", got, want)
	}
	// Bob is still subscribed and receives what is published.
	wantCode(t, "publish", w.call("publish", map[string]any{"channel": "room", "data": 1}), 0)
	if f := bob.push("pub"); f.num("data") != 1 {
		t.Fatalf("bob got %v", f)
	}
}
