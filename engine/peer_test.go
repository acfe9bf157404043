package engine_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

func TestPeerMessages(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	alice := v.connect(a, "alice")

	// Bob offline: stored, in order.
	for i := 1; i <= 3; i++ {
		res := alice.call("peer", map[string]any{"to": "bob", "data": i}).sub("result")
		if res.str("status") != "stored" || res.num("message_id") == 0 || res.num("expires_at") == 0 {
			t.Fatalf("offline peer %d: %v", i, res)
		}
	}
	res := alice.call("peer", map[string]any{"to": "bob", "data": 0, "store": false}).sub("result")
	if res.str("status") != "failed" || res.str("reason") != "offline" {
		t.Fatalf("store:false: %v", res)
	}

	// Bob logs in: gets them in order; without ack they come again next time.
	bob := v.connect(a, "bob")
	var last int64
	for i := 1; i <= 3; i++ {
		f := bob.push("peer")
		if f.num("data") != int64(i) || f.str("from") != "alice" || f.str("offline") != "" && string(f["offline"]) != "true" || f.num("message_id") <= last {
			t.Fatalf("offline message %d: %v", i, f)
		}
		last = f.num("message_id")
	}
	bob.ws.CloseNow()
	waitFor(t, "bob gone", func() bool { return v.e.AppConnections(a.ID) == 1 })
	bob = v.connect(a, "bob")
	for i := 1; i <= 3; i++ {
		if f := bob.push("peer"); f.num("data") != int64(i) {
			t.Fatalf("redelivered %d: %v", i, f)
		}
	}
	bob.sendRaw(fmt.Sprintf(`{"op":"peer_ack","message_id":%d}`, last))

	// Online: delivered live, no message_id.
	res = alice.call("peer", map[string]any{"to": "bob", "data": "live"}).sub("result")
	if res.str("status") != "delivered" {
		t.Fatalf("online peer: %v", res)
	}
	if f := bob.push("peer"); f.str("data") != "live" || f.num("message_id") != 0 {
		t.Fatalf("live message: %v", f)
	}
	bob.ws.CloseNow()
	waitFor(t, "bob gone", func() bool { return v.e.AppConnections(a.ID) == 1 })
	bob = v.connect(a, "bob")
	bob.noPush(150 * time.Millisecond) // acknowledged messages are gone

	wantCode(t, "peer to empty", alice.call("peer", map[string]any{"to": "", "data": 1}), engine.CodeUserInvalid)
	wantCode(t, "peer without data", alice.call("peer", map[string]any{"to": "bob"}), engine.CodeBadRequest)
	wantCode(t, "peer too large", alice.call("peer", map[string]any{"to": "bob", "data": strings.Repeat("x", 33*1024)}), engine.CodeMessageTooLarge)
	st := v.e.Stats()
	if st.PeerStored != 3 || st.PeerDelivered != 1 || st.PeerFailed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPeerOfflineQuotaAndTTL(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	v := newEnv(t, func(c *engine.Config) {
		c.Limits.MaxOfflinePerUser = 2
		c.Limits.OfflineTTL = time.Minute
		c.Now = clock
	})
	a := v.app("demo")
	alice := v.connect(a, "alice")
	for i, want := range []string{"stored", "stored", "failed"} {
		res := alice.call("peer", map[string]any{"to": "bob", "data": i}).sub("result")
		if res.str("status") != want {
			t.Fatalf("message %d: %v, want %s", i, res, want)
		}
		if want == "failed" && res.str("reason") != "offline_quota" {
			t.Fatalf("reason %v", res)
		}
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	v.connect(a, "bob").noPush(150 * time.Millisecond) // expired messages are not delivered
}

// Offline messages stored while bob logs in must neither be lost nor
// overtake each other, whatever the interleaving.
func TestPeerLoginRace(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.PublishRate = 1e6 })
	a := v.app("demo")
	alice := v.connect(a, "alice")
	const n = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= n; i++ {
			alice.start("peer", map[string]any{"to": "bob", "data": i})
			time.Sleep(100 * time.Microsecond)
		}
	}()
	time.Sleep(2 * time.Millisecond)
	bob := v.connect(a, "bob")
	<-done
	for i := 1; i <= n; i++ {
		f := bob.push("peer")
		if f.num("data") != int64(i) {
			t.Fatalf("message %d arrived as %v", i, f)
		}
	}
}

// peer_ack takes any message ID a stored message can have (SQLite row IDs
// go up to 2^63-1): acknowledging the largest acknowledges everything, and
// IDs outside 1..2^63-1 are refused with a message that says so.
func TestPeerAckLargestID(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	alice := v.connect(a, "alice")
	for i := 1; i <= 2; i++ {
		if res := alice.call("peer", map[string]any{"to": "bob", "data": i}).sub("result"); res.str("status") != "stored" {
			t.Fatalf("offline peer %d: %v", i, res)
		}
	}
	bob := v.connect(a, "bob")
	bob.push("peer")
	bob.push("peer")
	bob.sendRaw(`{"op":"peer_ack","message_id":9223372036854775807}`)
	bob.noPush(150 * time.Millisecond) // no error push
	for _, id := range []string{"0", "9223372036854775808", "-1"} {
		bob.sendRaw(`{"op":"peer_ack","message_id":` + id + `}`)
		if f := bob.push("error"); engine.Code(f.code()) != engine.CodeBadRequest {
			t.Fatalf("peer_ack %s: got %v, want bad_request", id, f)
		}
	}
	bob.ws.CloseNow()
	waitFor(t, "bob gone", func() bool { return v.e.AppConnections(a.ID) == 1 })
	bob = v.connect(a, "bob")
	bob.noPush(150 * time.Millisecond) // both messages were acknowledged
}
