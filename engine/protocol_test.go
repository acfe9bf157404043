package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

func wantCode(t *testing.T, what string, f frame, want engine.Code) {
	t.Helper()
	if got := engine.Code(f.code()); got != want {
		t.Fatalf("%s: got code %d (%s), want %d (%s)", what, got, f["error"], want, want)
	}
}

func TestSubscribePublishUnsubscribe(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	alice, bob := v.connect(a, "alice"), v.connect(a, "bob")

	rep := bob.call("subscribe", map[string]any{"channel": "news"})
	wantCode(t, "subscribe", rep, 0)
	if got := rep.sub("result").num("offset"); got != 0 {
		t.Fatalf("new channel offset %d, want 0", got)
	}
	epoch := rep.sub("result").str("epoch")
	if epoch == "" {
		t.Fatal("no epoch")
	}
	wantCode(t, "subscribe again", bob.call("subscribe", map[string]any{"channel": "news"}), engine.CodeAlreadySubbed)

	for i := 1; i <= 3; i++ {
		rep := alice.call("publish", map[string]any{"channel": "news", "data": map[string]int{"n": i}})
		wantCode(t, "publish", rep, 0)
		if got := rep.sub("result").num("offset"); got != int64(i) {
			t.Fatalf("publish %d: offset %d", i, got)
		}
		if got := rep.sub("result").str("epoch"); got != epoch {
			t.Fatalf("epoch changed: %s -> %s", epoch, got)
		}
	}
	for i := 1; i <= 3; i++ {
		p := bob.push("pub")
		if p.num("offset") != int64(i) || p.sub("data").num("n") != int64(i) || p.str("from") != "alice" || p.str("channel") != "news" || p.str("epoch") != epoch || p.num("time") == 0 {
			t.Fatalf("push %d: %v", i, p)
		}
	}
	wantCode(t, "unsubscribe", bob.call("unsubscribe", map[string]any{"channel": "news"}), 0)
	wantCode(t, "unsubscribe again", bob.call("unsubscribe", map[string]any{"channel": "news"}), engine.CodeNotSubscribed)
	alice.call("publish", map[string]any{"channel": "news", "data": 4})
	bob.noPush(100 * time.Millisecond)
}

func TestDataIsDeliveredByteForByte(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("subscribe", map[string]any{"channel": "c"})
	for _, data := range []string{`"text"`, `12.50`, `null`, `[1,2,{"a":"\u00e9"}]`, `{"中文":"你好"}`, `true`} {
		wantCode(t, "publish "+data, r.call("publish", map[string]any{"channel": "c", "data": json.RawMessage(data)}), 0)
		if got := string(r.push("pub")["data"]); got != data {
			t.Errorf("data %s arrived as %s", data, got)
		}
	}
	wantCode(t, "publish without data", r.call("publish", map[string]any{"channel": "c"}), engine.CodeBadRequest)
}

func TestChannelNames(t *testing.T) {
	v := newEnv(t, nil)
	r := v.connect(v.app("demo"), "alice")
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"A-z_0.9:x@y=z", true},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"", false},
		{"has space", false},
		{"star*", false},
		{"slash/x", false},
		{"中文", false},
	} {
		want := engine.CodeChannelInvalid
		if tc.ok {
			want = 0
		}
		for _, op := range []string{"subscribe", "publish", "history", "presence"} {
			wantCode(t, fmt.Sprintf("%s %q", op, tc.name), r.call(op, map[string]any{"channel": tc.name, "data": 1}), want)
		}
	}
}

func TestHistory(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	for i := 1; i <= 10; i++ {
		wantCode(t, "publish", r.call("publish", map[string]any{"channel": "h", "data": i}), 0)
	}
	offsets := func(f frame) []int64 {
		var res struct {
			Publications []struct {
				Offset int64           `json:"offset"`
				Data   json.RawMessage `json:"data"`
				From   string          `json:"from"`
			} `json:"publications"`
		}
		json.Unmarshal(f["result"], &res)
		var out []int64
		for _, p := range res.Publications {
			if string(p.Data) != fmt.Sprint(p.Offset) || p.From != "alice" {
				t.Fatalf("publication %+v", p)
			}
			out = append(out, p.Offset)
		}
		return out
	}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, "[1 2 3 4 5 6 7 8 9 10]"},
		{map[string]any{"limit": 3}, "[1 2 3]"},
		{map[string]any{"limit": 3, "latest": true}, "[8 9 10]"},
		{map[string]any{"since": 4, "until": 6}, "[5 6]"},
		{map[string]any{"since": 10}, "[]"},
	} {
		tc.params["channel"] = "h"
		rep := r.call("history", tc.params)
		wantCode(t, "history", rep, 0)
		if got := fmt.Sprint(offsets(rep)); got != tc.want {
			t.Errorf("history %v: got %s, want %s", tc.params, got, tc.want)
		}
		if rep.sub("result").num("offset") != 10 || rep.sub("result").num("oldest") != 1 {
			t.Errorf("history position %s", rep["result"])
		}
	}
	wantCode(t, "limit too big", r.call("history", map[string]any{"channel": "h", "limit": 1001}), engine.CodeBadRequest)
	wantCode(t, "negative limit", r.call("history", map[string]any{"channel": "h", "limit": -1}), engine.CodeBadRequest)
	rep := r.call("history", map[string]any{"channel": "empty"})
	if rep.sub("result").num("oldest") != 0 || len(offsets(rep)) != 0 {
		t.Errorf("empty history: %s", rep["result"])
	}
}

func TestHistorySizeLimit(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.HistorySize = 5 })
	r := v.connect(v.app("demo"), "alice")
	for i := 1; i <= 8; i++ {
		r.call("publish", map[string]any{"channel": "h", "data": i})
	}
	res := r.call("history", map[string]any{"channel": "h"}).sub("result")
	if res.num("oldest") != 4 || res.num("offset") != 8 {
		t.Fatalf("history kept %s, want offsets 4..8", res)
	}
}

func TestIsolationBetweenApps(t *testing.T) {
	v := newEnv(t, nil)
	a, b := v.app("a"), v.app("b")
	ra, rb := v.connect(a, "alice"), v.connect(b, "alice")
	ra.call("subscribe", map[string]any{"channel": "room", "presence": true})
	rb.call("subscribe", map[string]any{"channel": "room", "presence": true})
	ra.push("presence") // own join
	rb.push("presence")
	wantCode(t, "publish in a", ra.call("publish", map[string]any{"channel": "room", "data": "for a"}), 0)
	if got := ra.push("pub").str("data"); got != "for a" {
		t.Fatalf("a got %q", got)
	}
	rb.noPush(150 * time.Millisecond)
	// Offsets are per app.
	if got := rb.call("publish", map[string]any{"channel": "room", "data": "for b"}).sub("result").num("offset"); got != 1 {
		t.Fatalf("b's first publication has offset %d, want 1", got)
	}
	rb.push("pub")
	ra.noPush(150 * time.Millisecond)
	// History, presence and peers are per app.
	if n := len(rb.call("history", map[string]any{"channel": "room"}).sub("result")["publications"]); n == 0 {
		t.Fatal("no history")
	}
	var hist struct{ Publications []json.RawMessage }
	json.Unmarshal(rb.call("history", map[string]any{"channel": "room"})["result"], &hist)
	if len(hist.Publications) != 1 {
		t.Fatalf("b sees %d publications, want 1", len(hist.Publications))
	}
	var pres struct{ Members []engine.Member }
	json.Unmarshal(ra.call("presence", map[string]any{"channel": "room"})["result"], &pres)
	if len(pres.Members) != 1 || pres.Members[0].Connections != 1 {
		t.Fatalf("a sees presence %+v, want one connection", pres.Members)
	}
	rep := ra.call("peer", map[string]any{"to": "bob", "data": 1})
	if rep.sub("result").str("status") != "stored" {
		t.Fatalf("peer to bob in a: %s", rep["result"])
	}
	bobB := v.connect(b, "bob")
	bobB.noPush(150 * time.Millisecond)
}
