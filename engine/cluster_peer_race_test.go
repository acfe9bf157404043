package engine_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// A peer message sent while its recipient is logging in on another node
// reaches that login exactly once and promptly, whichever way the race
// goes: delivered live, or stored and then delivered by the login's
// replay or by the stored notice the sender publishes after storing it.
// The recipient never reconnects.
func TestClusterPeerLoginRace(t *testing.T) {
	nodes := newCluster(t, 2, func(c *engine.Config) { c.Limits.PublishRate = 10000 })
	a := clusterApp(t, nodes, "demo")
	alice := nodes[0].connect(a, "alice")
	const rounds = 200
	var bobs []*raw
	stored := 0
	for i := range rounds {
		user := fmt.Sprint("bob", i)
		bob := nodes[1].dial()
		tok := nodes[1].token(a, user, nil)
		// Either side starts up to 3 ms after the other.
		jitter := time.Duration(rand.IntN(6000)-3000) * time.Microsecond
		login := make(chan chan frame, 1)
		go func() {
			time.Sleep(max(0, jitter))
			login <- bob.start("connect", map[string]any{"token": tok})
		}()
		time.Sleep(max(0, -jitter))
		rec := alice.call("peer", map[string]any{"to": user, "data": i})
		wantCode(t, "peer", rec, 0)
		if rep := bob.wait(<-login); rep.code() != 0 {
			t.Fatalf("connect %s: %v", user, rep)
		}
		status := rec.sub("result").str("status")
		if status != "delivered" && status != "stored" {
			t.Fatalf("round %d: receipt %v", i, rec)
		}
		if status == "stored" {
			stored++
		}
		select {
		case f := <-bob.pushes:
			if f.str("type") != "peer" || f.num("data") != int64(i) {
				t.Fatalf("round %d: got %v", i, f)
			}
			// A stored message may also come live: node B delivered it
			// after the sender's timeout (TestClusterPeerLiveTimeout).
			if status == "delivered" && string(f["offline"]) == "true" {
				t.Fatalf("round %d: receipt %s but push %v", i, status, f)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("round %d (receipt %s): no message within 2 s of the login", i, status)
		}
		bobs = append(bobs, bob)
	}
	// No second copy anywhere.
	time.Sleep(500 * time.Millisecond)
	for i, b := range bobs {
		select {
		case f := <-b.pushes:
			if f.str("type") != "ping" {
				t.Fatalf("bob%d got a second push %v", i, f)
			}
		default:
		}
	}
	t.Logf("%d of %d rounds stored the message", stored, rounds)
}

// A node that delivers a live peer message too late for the sender (no
// answer within its timeout) still delivers it; the sender stores it too,
// and the stored copy is neither delivered again nor kept for the next
// login.
func TestClusterPeerLiveTimeout(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	alice, bob := nodes[0].connect(a, "alice"), nodes[1].connect(a, "bob")
	unlock := nodes[1].e.LockPeer(a.ID, "bob") // node B is busy with bob
	rec := alice.call("peer", map[string]any{"to": "bob", "data": "late"}).sub("result")
	if rec.str("status") != "stored" {
		unlock()
		t.Fatalf("receipt %v, want stored (node B did not answer in time)", rec)
	}
	unlock()
	if f := bob.push("peer"); f.str("data") != "late" || string(f["offline"]) == "true" {
		t.Fatalf("bob got %v, want the live message", f)
	}
	bob.noPush(500 * time.Millisecond)
	bob.ws.CloseNow()
	waitFor(t, "bob gone", func() bool { return nodes[1].e.AppConnections(a.ID) == 0 })
	bob = nodes[0].connect(a, "bob")
	bob.noPush(300 * time.Millisecond)
}
