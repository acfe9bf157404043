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
		"{{ALICE}}", token("alice", time.Hour), "{{BOB}}", token("bob", time.Hour), "{{ROOM}}", token("ann", time.Hour)).Replace(`
(async () => {
  const ex = await import('/examples/features.js');
  const url = location.origin.replace(/^http/, 'ws') + '/v1/ws';
  const out = {};
  const logger = (name) => { out[name] = []; return (...args) => out[name].push(args.join(' ')); };
  const until = async (cond) => { for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10)); };

  const renewer = await ex.renewal(url, {{SHORT}}, async () => {{FRESH}}, logger('renewal'));
  const [alice, bob] = await ex.peer(url, {{ALICE}}, {{BOB}}, logger('peer'));
  const ann = await ex.presence(url, {{ROOM}}, logger('presence'));
  const reader = await ex.history(url, {{ALICE}}, logger('history'));
  await until(() => out.renewal.length > 0 && out.peer.length >= 5 && out.presence.length >= 4 && out.history.length >= 5);
  for (const c of [renewer, alice, bob, ann, reader]) c.close();
  return out;
})()`)
	ctx, cancel := context.WithTimeout(page, 30*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	// Lines from different connections may interleave, so compare sorted.
	for name, want := range map[string][]string{
		"peer":     {"stored", "alice: call me (stored)", "delivered", "alice: are you there? (live)", "failed offline"},
		"presence": {`presence: join ann {}`, `presence: state ann {"mood":"busy"}`, "ann 1 busy", "where: room"},
		"history":  {"2 two", "3 three", "resumed 2 two", "resumed 3 three", "nothing missed: true"},
	} {
		g := slices.Sorted(slices.Values(got[name]))
		if slices.Sort(want); !slices.Equal(g, want) {
			t.Errorf("%s logged %q, want %q", name, got[name], want)
		}
	}
	if r := got["renewal"]; len(r) != 1 || !strings.HasPrefix(r[0], "token renewed, valid until ") {
		t.Errorf("renewal logged %q, want one line about the renewed token", r)
	}
}
