package jssdk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/jssdk"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// TestFeatureExamples runs examples/features.js, whose regions the docs
// include, in headless Chromium against a real engine. The page, the SDK,
// the examples and the engine share one origin, as they do behind the
// portal. (The quick-start runs against the full server in the root
// package's jssdk_e2e_test.go.)
func TestFeatureExamples(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, engine.Limits{})
	mux := http.NewServeMux()
	mux.Handle("/v1/ws", e.Handler())
	mux.Handle("/sdk/v1/", http.StripPrefix("/sdk/v1/", http.FileServerFS(jssdk.FS())))
	mux.Handle("/examples/", http.StripPrefix("/examples/", http.FileServerFS(os.DirFS("examples"))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><title>examples</title>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	app, err := e.CreateApp(ctx, "examples")
	if err != nil {
		t.Fatal(err)
	}
	token := func(user string, ttl time.Duration) string {
		tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: user}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(tok)
		return string(b)
	}

	page := browser.New(t)
	if err := chromedp.Do(page, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	script := strings.NewReplacer("{{SHORT}}", token("renewer", 4*time.Second), "{{FRESH}}", token("renewer", time.Hour),
		"{{ALICE}}", token("alice", time.Hour), "{{BOB}}", token("bob", time.Hour), "{{ANN}}", token("ann", time.Hour)).Replace(`
(async () => {
  const ex = await import('/examples/features.js');
  const url = location.origin.replace(/^http/, 'ws') + '/v1/ws';
  const out = {};
  const until = async (cond) => { for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10)); };
  // Each example logs with console.log; the lines go to its own list.
  const log = console.log;
  let lines;
  console.log = (...args) => lines.push(args.join(' '));
  const clients = [];
  const run = async (name, ...args) => {
    lines = out[name] = [];
    clients.push(...[await ex[name](url, ...args)].flat());
  };
  try {
    await run('subscribe', {{ALICE}});
    await run('ack', {{ALICE}});
    await run('unsubscribe', {{ALICE}});
    await run('withoutStore', {{ALICE}});
    await run('peer', {{ALICE}}, {{BOB}});
    await run('presence', {{ANN}});
    await run('presenceEvents', {{BOB}}, {{ALICE}});
    await run('history', {{ALICE}});
    await run('recovery', {{ALICE}});
    await until(() => out.recovery.length >= 2);
    await run('renew', {{SHORT}}, async () => {{FRESH}});
    await until(() => out.renew.length >= 2);
  } finally {
    console.log = log;
    for (const c of clients) c.close();
  }
  return out;
})()`)
	ctx, cancel := context.WithTimeout(page, 30*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	// What each logs: the same as the Go SDK's examples in
	// engine/gosdktest/docs_example_test.go (the two tabs of a docs page).
	for name, want := range map[string][]string{
		"subscribe":      {`#1 alice: {"text":"hi","x":1}`, "subscribed to room.42"},
		"ack":            {`"order #1" on orders`},
		"unsubscribe":    {"unsubscribed from news"},
		"withoutStore":   {"failed offline"},
		"peer":           {"stored", "alice: call me (stored)", "delivered", "alice: are you there? (live)"},
		"presence":       {"ann 1 busy", "where: room"},
		"presenceEvents": {"join bob", "join alice", "leave alice"},
		"history":        {"2 two", "3 three", "latest offset 3 oldest kept 1"},
		"recovery":       {"nothing missed: true missed: 1", `resumed 2 {"home":1,"away":1}`},
	} {
		// Lines from two connections (alice's receipt, bob's message) may
		// interleave: compare sorted.
		if g := slices.Sorted(slices.Values(got[name])); !slices.Equal(g, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s logged %q, want %q", name, got[name], want)
		}
	}
	if r := got["renew"]; len(r) != 2 || !strings.HasPrefix(r[0], "connected; the token expires at ") || !strings.HasPrefix(r[1], "token renewed, valid until ") {
		t.Errorf("renew logged %q, want the first expiry and one line about the renewed token", r)
	}
}
