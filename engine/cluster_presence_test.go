package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// presenceEvent reads the next presence push as "event user".
func presenceEvent(r *raw) string {
	r.t.Helper()
	f := r.push("presence")
	return f.str("event") + " " + f.str("user")
}

func members(t *testing.T, r *raw, channel string) string {
	t.Helper()
	var res struct{ Members []engine.Member }
	f := r.call("presence", map[string]any{"channel": channel})
	wantCode(t, "presence", f, 0)
	json.Unmarshal(f["result"], &res)
	var out []string
	for _, m := range res.Members {
		out = append(out, fmt.Sprintf("%s:%d", m.User, m.Connections))
	}
	return strings.Join(out, " ")
}

// Presence is cluster-wide: presence and where_now on any node list the
// clients of every node, and each join, state and leave reaches the
// watchers on both nodes once, in the order of the changes.
func TestClusterPresence(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	wA, wB := nodes[0].connect(a, "wa"), nodes[1].connect(a, "wb")
	wantCode(t, "subscribe", wA.call("subscribe", map[string]any{"channel": "room", "presence": true}), 0)
	if got := presenceEvent(wA); got != "join wa" {
		t.Fatalf("wa's own join: %s", got)
	}
	// Node B learns of wa's join through the presence bucket's watch; until
	// it has, wb subscribing would see wa's join as a change after its own.
	waitFor(t, "node B to list wa in the room", func() bool {
		return members(t, wB, "room") == "wa:1"
	})
	wantCode(t, "subscribe", wB.call("subscribe", map[string]any{"channel": "room", "presence": true}), 0)
	if got := presenceEvent(wB); got != "join wb" {
		t.Fatalf("wb's own join: %s", got)
	}
	if got := presenceEvent(wA); got != "join wb" {
		t.Fatalf("wa saw %s, want wb's join from the other node", got)
	}

	// One user on both nodes: one join, one leave, cluster-wide.
	alice1, alice2 := nodes[0].connect(a, "alice"), nodes[1].connect(a, "alice")
	wantCode(t, "subscribe", alice1.call("subscribe", map[string]any{"channel": "room"}), 0)
	wantCode(t, "subscribe", alice2.call("subscribe", map[string]any{"channel": "room"}), 0)
	for _, w := range []*raw{wA, wB} {
		if got := presenceEvent(w); got != "join alice" {
			t.Fatalf("%s", got)
		}
		w.noPush(200 * time.Millisecond)
	}
	wantCode(t, "set_state", alice2.call("set_state", map[string]any{"channel": "room", "state": map[string]string{"mood": "busy"}}), 0)
	for _, w := range []*raw{wA, wB} {
		if f := w.push("presence"); f.str("event") != "state" || f.sub("state").str("mood") != "busy" {
			t.Fatalf("state push %v", f)
		}
	}
	for _, w := range []*raw{wA, wB} {
		if got := members(t, w, "room"); got != "alice:2 wa:1 wb:1" {
			t.Fatalf("presence %q", got)
		}
	}
	wantCode(t, "subscribe", alice2.call("subscribe", map[string]any{"channel": "lobby"}), 0)
	// Node A learns of the join on node B through the presence bucket's
	// watch, a moment after node B answered.
	var got string
	waitFor(t, "node A's where_now to list the channel joined on node B", func() bool {
		var where struct{ Channels []string }
		json.Unmarshal(wA.call("where_now", map[string]any{"user": "alice"})["result"], &where)
		got = fmt.Sprint(where.Channels)
		return got == "[lobby room]"
	})

	// Changes from both nodes, one after another: both watchers see the
	// same sequence.
	var want []string
	var users []*raw
	for i := range 8 {
		u := nodes[i%2].connect(a, fmt.Sprint("u", i))
		users = append(users, u)
		wantCode(t, "subscribe", u.call("subscribe", map[string]any{"channel": "room"}), 0)
		want = append(want, fmt.Sprint("join u", i))
	}
	for i, u := range users {
		if i%3 == 0 {
			wantCode(t, "unsubscribe", u.call("unsubscribe", map[string]any{"channel": "room"}), 0)
			want = append(want, fmt.Sprint("leave u", i))
		}
	}
	alice1.ws.CloseNow()
	wantCode(t, "unsubscribe", alice2.call("unsubscribe", map[string]any{"channel": "room"}), 0)
	want = append(want, "leave alice")
	for _, w := range []*raw{wA, wB} {
		var got []string
		for range want {
			got = append(got, presenceEvent(w))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("events\n got %v\nwant %v", got, want)
		}
		w.noPush(200 * time.Millisecond)
	}
}

// A node that dies (no orderly leave: its NATS connection is gone) has its
// clients removed by the others, with leave pushes, once its heartbeat
// key expires.
func TestClusterPresenceDeadNode(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	w := nodes[1].connect(a, "watcher")
	wantCode(t, "subscribe", w.call("subscribe", map[string]any{"channel": "room", "presence": true}), 0)
	presenceEvent(w)
	bob, carol1, carol2 := nodes[0].connect(a, "bob"), nodes[0].connect(a, "carol"), nodes[1].connect(a, "carol")
	for _, c := range []*raw{bob, carol1, carol2} {
		wantCode(t, "subscribe", c.call("subscribe", map[string]any{"channel": "room"}), 0)
	}
	if a, b := presenceEvent(w), presenceEvent(w); a != "join bob" || b != "join carol" {
		t.Fatalf("%s, %s", a, b)
	}
	if got := members(t, w, "room"); got != "bob:1 carol:2 watcher:1" {
		t.Fatalf("presence %q", got)
	}

	start := time.Now()
	nodes[0].presence.Crash()
	nodes[0].presenceConn.Close()
	// Its connections close, but it can no longer tell anyone (and says so).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := nodes[0].e.Shutdown(ctx); err == nil {
		t.Error("shutdown of a node without NATS reported no error")
	}
	nodes[0].srv.Close()
	if got := presenceEvent(w); got != "leave bob" {
		t.Fatalf("%s, want bob's leave", got)
	}
	// testHeartbeat and testNodeTTL are 250 ms and 2 s (5 s and 15 s by
	// default): the clients leave after the TTL and one more heartbeat.
	if d := time.Since(start); d > testNodeTTL+testHeartbeat+2*time.Second {
		t.Errorf("the dead node's clients left after %v", d)
	}
	w.noPush(300 * time.Millisecond) // carol is still on node B
	if got := members(t, w, "room"); got != "carol:1 watcher:1" {
		t.Fatalf("presence after the node died %q", got)
	}
}

// Peer messages reach the recipient on whichever node it is connected to
// (on every node it is connected to), and those for a user connected
// nowhere are stored and delivered at its next login on any node, in
// order; receipts say which happened.
func TestClusterPeerMessages(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	alice, bob := nodes[0].connect(a, "alice"), nodes[1].connect(a, "bob")
	status := func(to string, data any, store bool) frame {
		t.Helper()
		f := alice.call("peer", map[string]any{"to": to, "data": data, "store": store})
		wantCode(t, "peer", f, 0)
		return f.sub("result")
	}
	if r := status("bob", 1, true); r.str("status") != "delivered" {
		t.Fatalf("to bob on the other node: %v", r)
	}
	if f := bob.push("peer"); f.str("from") != "alice" || f.num("data") != 1 {
		t.Fatalf("bob got %v", f)
	}
	bob2 := nodes[0].connect(a, "bob") // bob on both nodes now
	if r := status("bob", 2, true); r.str("status") != "delivered" {
		t.Fatalf("%v", r)
	}
	for _, b := range []*raw{bob, bob2} {
		if f := b.push("peer"); f.num("data") != 2 {
			t.Fatalf("bob's connection got %v", f)
		}
	}
	bob.ws.CloseNow()
	bob2.ws.CloseNow()
	waitFor(t, "bob gone", func() bool { return nodes[0].e.AppConnections(a.ID)+nodes[1].e.AppConnections(a.ID) == 1 })
	if r := status("bob", 3, false); r.str("status") != "failed" || r.str("reason") != "offline" {
		t.Fatalf("to nobody, not stored: %v", r)
	}
	var ids []int64
	for i := 10; i < 13; i++ {
		r := status("bob", i, true)
		if r.str("status") != "stored" || r.num("message_id") == 0 {
			t.Fatalf("to nobody: %v", r)
		}
		ids = append(ids, r.num("message_id"))
	}
	// bob logs in on node B: the stored messages, in order.
	bob = nodes[1].connect(a, "bob")
	for i, id := range ids {
		f := bob.push("peer")
		if f.num("data") != int64(10+i) || f.num("message_id") != id || string(f["offline"]) != "true" {
			t.Fatalf("stored message %d: %v", i, f)
		}
	}
	bob.noPush(200 * time.Millisecond)
	bob.sendRaw(fmt.Sprintf(`{"op":"peer_ack","message_id":%d}`, ids[1])) // no reply
	wantCode(t, "after the ack", bob.call("where_now", map[string]any{"user": "bob"}), 0)
	bob.ws.CloseNow()
	bob = nodes[0].connect(a, "bob") // and on node A: only what was not acknowledged
	if f := bob.push("peer"); f.num("message_id") != ids[2] {
		t.Fatalf("after the ack: %v", f)
	}
	bob.noPush(200 * time.Millisecond)
}

// An app's connection limit counts its connections on every node, as of
// the nodes' last heartbeats (testHeartbeat in tests, 5 s by default).
func TestClusterConnectionLimit(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	if err := nodes[0].e.SetAppLimits(context.Background(), a.ID, engine.AppLimits{MaxConns: 3}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "limit on node B", func() bool {
		got, err := nodes[1].e.GetApp(context.Background(), a.ID)
		return err == nil && got.Limits.MaxConns == 3
	})
	nodes[0].connect(a, "u1")
	nodes[0].connect(a, "u2")
	nodes[1].connect(a, "u3")
	// Within a few heartbeats every node counts the other's connections
	// and refuses a fourth; one let in before that is closed at once.
	for i, n := range nodes {
		var f frame
		waitForWithin(t, 10*time.Second, fmt.Sprint("node ", i, " to refuse a fourth connection"), func() bool {
			r := n.dial()
			f = r.call("connect", map[string]any{"token": n.token(a, "u4", nil)})
			if f.code() == 0 {
				r.ws.CloseNow()
				return false
			}
			return true
		})
		wantCode(t, fmt.Sprint("fourth connection on node ", i), f, engine.CodeTooManyConns)
	}
}
