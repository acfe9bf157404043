package jssdk_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/jssdk"
)

// TestExportsMatchDeclarations checks that the served files are there and
// that switchboard.d.ts declares exactly what switchboard.js exports.
func TestExportsMatchDeclarations(t *testing.T) {
	exports := func(name string, re *regexp.Regexp) []string {
		b, err := fs.ReadFile(jssdk.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
		slices.Sort(names)
		return names
	}
	js := exports("switchboard.js", regexp.MustCompile(`(?m)^export (?:async function|function|class|const) (\w+)`))
	ts := exports("switchboard.d.ts", regexp.MustCompile(`(?m)^export (?:function|class|const) (\w+)`))
	if want := []string{"Client", "CloseCodes", "ErrorCodes", "SDK_NAME", "Subscription", "SwitchboardError", "VERSION", "connect"}; !reflect.DeepEqual(js, want) {
		t.Errorf("switchboard.js exports %v, want %v", js, want)
	}
	if !reflect.DeepEqual(js, ts) {
		t.Errorf("switchboard.d.ts declares %v, switchboard.js exports %v", ts, js)
	}
}

// TestNode runs the SDK in Node against a real engine over loopback. Node 22
// has a global WebSocket; Node 20.10 to 21 have it behind a flag. The test
// is skipped when node is not installed or older than that, unless CI is set.
func TestNode(t *testing.T) {
	node, args := nodeForSDK(t)

	ctx := context.Background()
	// Pings every 100 ms: a client that did not answer would be closed with 4002
	// after 1 s (long enough not to trip on a loaded machine; the script waits 3 s).
	e := newEngine(t, engine.Limits{PingInterval: 100 * time.Millisecond, PongTimeout: time.Second})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	app, err := e.CreateApp(ctx, "node")
	if err != nil {
		t.Fatal(err)
	}
	token := func(user string) string {
		tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: user}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	sdk, err := filepath.Abs("switchboard.js")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args = append(args, "testdata/node_smoke.mjs", "file://"+sdk, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", token("alice"), token("bob"))
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got, want any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	json.Unmarshal([]byte(`{"got": [[1, "alice", {"text": "hi"}]], "inbox": ["psst"], "receipt": "delivered", "error": [true, 110], "disconnects": 0}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("node printed %s, want %s", out, `{"got":[[1,"alice",{"text":"hi"}]],"inbox":["psst"],"receipt":"delivered","error":[true,110],"disconnects":0}`)
	}
}
