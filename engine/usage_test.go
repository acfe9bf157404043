package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
)

// TestUsageCounts drives a real engine over WebSockets and checks each
// figure TakeUsage reports, then that a second take starts afresh.
func TestUsageCounts(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	a := v.app("counted")
	other := v.app("quiet")
	sub1 := v.connect(a, "s1")
	sub2 := v.connect(a, "s2")
	pub := v.connect(a, "p")
	for _, s := range []*raw{sub1, sub2} {
		if rep := s.call("subscribe", map[string]any{"channel": "room"}); rep.code() != 0 {
			t.Fatalf("subscribe: %s", rep["error"])
		}
	}
	for i := range 5 {
		if rep := pub.call("publish", map[string]any{"channel": "room", "data": map[string]int{"n": i}}); rep.code() != 0 {
			t.Fatalf("publish: %s", rep["error"])
		}
	}
	for range 5 {
		sub1.push("pub")
		sub2.push("pub")
	}
	// A delivery is counted just after its frame is written, so a client
	// can read it first. One more round trip on each subscriber settles
	// that: its writer writes the reply only after accounting for the
	// frames before it.
	for _, s := range []*raw{sub1, sub2} {
		if rep := s.call("presence", map[string]any{"channel": "room"}); rep.code() != 0 {
			t.Fatalf("presence: %s", rep["error"])
		}
	}
	if rep := pub.call("history", map[string]any{"channel": "room"}); rep.code() != 0 {
		t.Fatalf("history: %s", rep["error"])
	}
	if rep := pub.call("publish", map[string]any{"channel": "", "data": 1}); rep.code() == 0 {
		t.Fatal("publish to an empty channel name succeeded")
	}
	if _, err := v.e.SendPeer(ctx, a.ID, "nobody", json.RawMessage(`{}`), false); err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.SendPeer(ctx, a.ID, "s1", json.RawMessage(`{}`), false); err != nil {
		t.Fatal(err)
	}
	sub2.ws.Close(websocket.StatusNormalClosure, "bye")
	waitFor(t, "the disconnect", func() bool { return v.e.AppConnections(a.ID) == 2 })

	var got engine.AppUsage
	for _, u := range v.e.TakeUsage() {
		if u.AppID == other.ID {
			t.Errorf("an app with no activity is reported: %+v", u)
		}
		if u.AppID == a.ID {
			got = u
		}
	}
	if got.Connections != 2 || got.PeakConnections != 3 || got.NewConnections != 3 {
		t.Errorf("connections now %d peak %d new %d, want 2, 3, 3", got.Connections, got.PeakConnections, got.NewConnections)
	}
	if got.Disconnects[1000] != 1 {
		t.Errorf("disconnects %v, want one 1000", got.Disconnects)
	}
	if got.Publishes != 5 || got.DeliveriesDue != 10 || got.Deliveries != 10 {
		t.Errorf("publishes %d due %d delivered %d, want 5, 10, 10", got.Publishes, got.DeliveriesDue, got.Deliveries)
	}
	if got.Latency.Count() != 10 {
		t.Errorf("latency count %d, want one per delivery (10)", got.Latency.Count())
	}
	if p99, _ := got.Latency.Quantile(0.99); p99 <= 0 || p99 > 5*time.Second {
		t.Errorf("p99 %v", p99)
	}
	if got.PeerDelivered != 1 || got.PeerFailed != 1 || got.PeerStored != 0 {
		t.Errorf("peer delivered %d failed %d stored %d, want 1, 1, 0", got.PeerDelivered, got.PeerFailed, got.PeerStored)
	}
	if got.HistoryRequests != 1 {
		t.Errorf("history requests %d, want 1", got.HistoryRequests)
	}
	if got.Errors[engine.CodeChannelInvalid] != 1 {
		t.Errorf("errors %v, want one %d", got.Errors, engine.CodeChannelInvalid)
	}
	if got.SDKs[""] != 2 {
		t.Errorf("SDK census %v, want 2 clients that sent no SDK", got.SDKs)
	}

	// The next take has only what happened since.
	again := v.e.TakeUsage()
	if len(again) != 1 || again[0].Publishes != 0 || again[0].Deliveries != 0 || again[0].Connections != 2 || again[0].PeakConnections != 2 {
		t.Fatalf("second take %+v: want only the 2 open connections", again)
	}
}
