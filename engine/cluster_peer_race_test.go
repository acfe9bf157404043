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
			if (status == "stored") != (string(f["offline"]) == "true") {
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
