package jssdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
)

// TestServerKeepsProtocolContract checks promises of engine/PROTOCOL.md that
// SDKs in other languages may rely on and that the JavaScript SDK's own
// tests would not notice (the SDK copes either way). They were found while
// writing the SDK; each subtest names its section.
func TestServerKeepsProtocolContract(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, engine.Limits{})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	app, err := e.CreateApp(ctx, "contract")
	if err != nil {
		t.Fatal(err)
	}

	// frames connects as user, sends the requests and returns every frame
	// that arrives within a short while, in order, the connect reply first.
	frames := func(t *testing.T, user string, requests ...string) []map[string]any {
		t.Helper()
		ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: user}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range append([]string{`{"id":1,"op":"connect","token":"` + tok + `"}`}, requests...) {
			if err := ws.Write(ctx, websocket.MessageText, []byte(r)); err != nil {
				t.Fatal(err)
			}
		}
		var got []map[string]any
		for {
			rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			_, b, err := ws.Read(rctx)
			cancel()
			if err != nil {
				return got
			}
			var f map[string]any
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatalf("frame %s: %v", b, err)
			}
			got = append(got, f)
		}
	}
	// kinds names the frames: "reply 2", "presence join", ...
	kinds := func(fs []map[string]any) []string {
		var k []string
		for _, f := range fs {
			if id, ok := f["id"]; ok {
				k = append(k, fmt.Sprintf("reply %v", id))
			} else if f["type"] == "presence" {
				k = append(k, "presence "+f["event"].(string))
			} else {
				k = append(k, f["type"].(string))
			}
		}
		return k
	}

	// 2.2: "a reply to a request is always sent before any push that the
	// request caused".
	t.Run("2.2 the subscribe reply comes before the join push it caused", func(t *testing.T) {
		got := kinds(frames(t, "u1", `{"id":2,"op":"subscribe","channel":"room1","presence":true}`))
		if want := "reply 1,reply 2,presence join"; strings.Join(got, ",") != want {
			t.Errorf("frames %v, want %s", got, want)
		}
	})
	t.Run("2.2 the set_state reply comes before the state push it caused", func(t *testing.T) {
		got := kinds(frames(t, "u2", `{"id":2,"op":"subscribe","channel":"room2","presence":true}`,
			`{"id":3,"op":"set_state","channel":"room2","state":{"mood":"busy"}}`))
		if r, p := slices.Index(got, "reply 3"), slices.Index(got, "presence state"); r < 0 || p < 0 || r > p {
			t.Errorf("frames %v, want reply 3 before presence state", got)
		}
	})
	// 5: presence pushes have "state (object, for join and state)".
	t.Run("5 join and state pushes carry a state object", func(t *testing.T) {
		for _, f := range frames(t, "u3", `{"id":2,"op":"subscribe","channel":"room3","presence":true}`,
			`{"id":3,"op":"set_state","channel":"room3","state":{}}`) {
			if f["type"] != "presence" {
				continue
			}
			if _, ok := f["state"].(map[string]any); !ok {
				t.Errorf("presence %s push %v has no state object", f["event"], f)
			}
		}
	})
}
