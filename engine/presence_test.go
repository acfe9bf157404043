package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

func TestPresence(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	watcher := v.connect(a, "watcher")
	wantCode(t, "subscribe", watcher.call("subscribe", map[string]any{"channel": "room", "presence": true}), 0)
	if f := watcher.push("presence"); f.str("event") != "join" || f.str("user") != "watcher" || string(f["state"]) != "{}" {
		t.Fatalf("own join: %v (join pushes carry a state object)", f)
	}

	alice1, alice2 := v.connect(a, "alice"), v.connect(a, "alice")
	alice1.call("subscribe", map[string]any{"channel": "room"})
	if f := watcher.push("presence"); f.str("event") != "join" || f.str("user") != "alice" {
		t.Fatalf("join: %v", f)
	}
	alice2.call("subscribe", map[string]any{"channel": "room"})
	watcher.noPush(100 * time.Millisecond) // second connection of the same user: no new join

	wantCode(t, "set_state", alice1.call("set_state", map[string]any{"channel": "room", "state": map[string]string{"mood": "busy"}}), 0)
	if f := watcher.push("presence"); f.str("event") != "state" || f.sub("state").str("mood") != "busy" {
		t.Fatalf("state: %v", f)
	}
	var res struct{ Members []engine.Member }
	json.Unmarshal(watcher.call("presence", map[string]any{"channel": "room"})["result"], &res)
	if got := fmt.Sprint(res.Members); got != "[{alice 2 map[mood:busy] []} {watcher 1 map[] []}]" { // client IDs stay off the wire
		t.Fatalf("presence %s", got)
	}
	var where struct{ Channels []string }
	alice1.call("subscribe", map[string]any{"channel": "lobby"})
	json.Unmarshal(watcher.call("where_now", map[string]any{"user": "alice"})["result"], &where)
	if got := fmt.Sprint(where.Channels); got != "[lobby room]" {
		t.Fatalf("where_now alice: %s", got)
	}
	json.Unmarshal(watcher.call("where_now", map[string]any{"user": "nobody"})["result"], &where)
	if len(where.Channels) != 0 {
		t.Fatalf("where_now nobody: %v", where.Channels)
	}

	alice1.ws.CloseNow()
	watcher.noPush(100 * time.Millisecond) // alice2 still there
	alice2.call("unsubscribe", map[string]any{"channel": "room"})
	if f := watcher.push("presence"); f.str("event") != "leave" || f.str("user") != "alice" || f["state"] != nil {
		t.Fatalf("leave: %v", f)
	}
	json.Unmarshal(watcher.call("presence", map[string]any{"channel": "room"})["result"], &res)
	if len(res.Members) != 1 {
		t.Fatalf("after leave: %v", res.Members)
	}
}

func TestPresenceErrors(t *testing.T) {
	v := newEnv(t, nil)
	r := v.connect(v.app("demo"), "alice")
	wantCode(t, "set_state unsubscribed", r.call("set_state", map[string]any{"channel": "room", "state": map[string]string{}}), engine.CodeNotSubscribed)
	r.call("subscribe", map[string]any{"channel": "room"})
	many := map[string]string{}
	for i := range 17 {
		many[fmt.Sprint("k", i)] = "v"
	}
	for name, tc := range map[string]struct {
		state any
		want  engine.Code
	}{
		"ok":         {map[string]string{"a": "b"}, 0},
		"empty":      {map[string]string{}, 0},
		"17 keys":    {many, engine.CodeStateInvalid},
		"number":     {map[string]int{"a": 1}, engine.CodeStateInvalid},
		"not object": {[]string{"a"}, engine.CodeStateInvalid},
		"too large":  {map[string]string{"a": strings.Repeat("x", 1100)}, engine.CodeStateInvalid},
		"missing":    {nil, engine.CodeBadRequest},
	} {
		p := map[string]any{"channel": "room"}
		if tc.state != nil {
			p["state"] = tc.state
		}
		wantCode(t, "set_state "+name, r.call("set_state", p), tc.want)
	}
	wantCode(t, "where_now empty", r.call("where_now", map[string]any{"user": ""}), engine.CodeUserInvalid)
	wantCode(t, "where_now long", r.call("where_now", map[string]any{"user": strings.Repeat("u", 129)}), engine.CodeUserInvalid)
}

// slowJoinPresence holds a join by "bob" after it is recorded until the
// test says alice's subscribe has been answered (so her join push has
// gone out), or for at most wait: the widest gap a busy server could leave
// between recording bob's join and pushing it. An engine that keeps the
// order holds alice's join back meanwhile, so bob's waits the whole time.
type slowJoinPresence struct {
	engine.PresenceManager
	wait       time.Duration
	bobJoining chan struct{} // closed once bob's join is being recorded
	aliceDone  chan struct{} // closed by the test after alice's subscribe
}

func (p *slowJoinPresence) Join(ctx context.Context, ch engine.ChannelID, user, client string) (bool, error) {
	first, err := p.PresenceManager.Join(ctx, ch, user, client)
	if user == "bob" {
		close(p.bobJoining)
		select {
		case <-p.aliceDone:
		case <-time.After(p.wait):
		}
	}
	return first, err
}

// Presence events of a channel reach its subscribers in the order the
// changes happened: bob, who joined first, sees his own join before
// alice's, even when alice subscribes while bob's subscribe is still
// being answered.
func TestPresenceEventsInOrderOfChanges(t *testing.T) {
	p := &slowJoinPresence{PresenceManager: engine.NewMemoryPresence(), wait: 300 * time.Millisecond,
		bobJoining: make(chan struct{}), aliceDone: make(chan struct{})}
	v := newEnv(t, func(c *engine.Config) { c.Presence = p })
	a := v.app("demo")
	bob, alice := v.connect(a, "bob"), v.connect(a, "alice")
	sub := bob.start("subscribe", map[string]any{"channel": "room", "presence": true})
	select {
	case <-p.bobJoining:
	case <-time.After(10 * time.Second):
		t.Fatal("bob's join was never recorded")
	}
	wantCode(t, "alice subscribe", alice.call("subscribe", map[string]any{"channel": "room"}), 0)
	close(p.aliceDone)
	wantCode(t, "bob subscribe", bob.wait(sub), 0)
	first, second := bob.push("presence"), bob.push("presence")
	if first.str("user") != "bob" || second.str("user") != "alice" {
		t.Fatalf("bob saw %s %s, then %s %s; want his own join first", first.str("event"), first.str("user"), second.str("event"), second.str("user"))
	}
}
