package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
)

// eventLog records every engine callback as one line, in call order.
type eventLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *eventLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

func (l *eventLog) hooks(c *engine.Config) {
	c.OnConnect = func(ev engine.ConnectEvent) { l.add("connect %s %s/%s", ev.UserID, ev.SDK, ev.SDKVersion) }
	c.OnDisconnect = func(ev engine.DisconnectEvent) { l.add("disconnect %s %d", ev.UserID, ev.Code) }
	c.OnSubscribe = func(ev engine.SubscribeEvent) { l.add("subscribe %s %s", ev.UserID, ev.Channel) }
	c.OnUnsubscribe = func(ev engine.SubscribeEvent) { l.add("unsubscribe %s %s %s", ev.UserID, ev.Channel, ev.Reason) }
	c.OnChannelOccupied = func(ev engine.ChannelEvent) { l.add("occupied %s", ev.Channel) }
	c.OnChannelVacated = func(ev engine.ChannelEvent) { l.add("vacated %s", ev.Channel) }
	c.OnPresenceJoin = func(ev engine.PresenceEvent) { l.add("join %s %s", ev.UserID, ev.Channel) }
	c.OnPresenceLeave = func(ev engine.PresenceEvent) { l.add("leave %s %s", ev.UserID, ev.Channel) }
	c.OnPeerStored = func(ev engine.PeerStoredEvent) {
		l.add("stored %s->%s %s id>0:%v", ev.From, ev.To, ev.Data, ev.MessageID > 0)
	}
}

func TestEventCallbacksInOrder(t *testing.T) {
	var l eventLog
	v := newEnv(t, l.hooks)
	a := v.app("events")
	alice := v.dial()
	if rep := alice.call("connect", map[string]any{"token": v.token(a, "alice", nil),
		"sdk": map[string]string{"name": "switchboard-go", "version": "1.2.3"}}); rep.code() != 0 {
		t.Fatalf("connect: %v", rep)
	}
	bob := v.connect(a, "bob")
	for _, r := range []*raw{alice, bob} {
		if rep := r.call("subscribe", map[string]any{"channel": "room"}); rep.code() != 0 {
			t.Fatalf("subscribe: %v", rep)
		}
	}
	if rep := alice.call("peer", map[string]any{"to": "carol", "data": "hi"}); rep.sub("result").str("status") != "stored" {
		t.Fatalf("peer to offline carol: %v", rep)
	}
	if rep := bob.call("unsubscribe", map[string]any{"channel": "room"}); rep.code() != 0 {
		t.Fatalf("unsubscribe: %v", rep)
	}
	alice.ws.CloseNow()
	waitFor(t, "alice's disconnect", func() bool {
		return slices.ContainsFunc(l.get(), func(s string) bool { return strings.HasPrefix(s, "disconnect alice") })
	})
	want := []string{
		"connect alice switchboard-go/1.2.3",
		"connect bob /",
		"occupied room", "subscribe alice room", "join alice room",
		"subscribe bob room", "join bob room",
		`stored alice->carol "hi" id>0:true`,
		"unsubscribe bob room client", "leave bob room",
		"unsubscribe alice room disconnect", "vacated room", "leave alice room",
		"disconnect alice 1006",
	}
	if got := l.get(); !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}

func TestConnectRecordsSDK(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("sdk")
	r := v.dial()
	if rep := r.call("connect", map[string]any{"token": v.token(a, "alice", nil),
		"sdk": map[string]string{"name": "switchboard-js", "version": "1.0.0"}}); rep.code() != 0 {
		t.Fatalf("connect: %v", rep)
	}
	v.connect(a, "bob")
	got := v.e.Clients(a.ID)
	var sdks []string
	for _, c := range got {
		sdks = append(sdks, c.UserID+"="+c.SDK+"@"+c.SDKVersion)
	}
	slices.Sort(sdks)
	if want := []string{"alice=switchboard-js@1.0.0", "bob=@"}; !slices.Equal(sdks, want) {
		t.Errorf("Clients: %q, want %q", sdks, want)
	}

	for _, sdk := range []map[string]string{
		{"name": strings.Repeat("x", engine.MaxSDKNameBytes+1)},
		{"name": "ok", "version": strings.Repeat("1", engine.MaxSDKVersionBytes+1)},
		{"name": "tab\tname"},
	} {
		r := v.dial()
		rep := r.call("connect", map[string]any{"token": v.token(a, "carol", nil), "sdk": sdk})
		if rep.code() != int64(engine.CodeBadRequest) {
			t.Errorf("connect with sdk %q: %v, want error %d", sdk, rep, engine.CodeBadRequest)
		}
	}
}
