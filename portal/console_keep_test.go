package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/sandbox"
)

// TestConsoleKeepSandboxApp: a signed-in user keeps a sandbox app with its
// App ID and API key; it becomes a development app of their personal
// team, with its history, and the sandbox's sweep no longer deletes it.
func TestConsoleKeepSandboxApp(t *testing.T) {
	ct := newConsoleServer(t)
	now := time.Now()
	clock := func() time.Time { return now }
	sb, err := sandbox.New(context.Background(), sandbox.Config{DB: ct.s.cfg.DB, Engine: ct.eng, Now: func() time.Time { return clock() }})
	if err != nil {
		t.Fatal(err)
	}
	ct.s.cfg.Sandbox = sb
	ctx := context.Background()
	app, err := sb.CreateApp(ctx, "192.0.2.50", 2)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sb.CreateApp(ctx, "192.0.2.51", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.eng.Publish(ctx, app.ID, "room", json.RawMessage(`{"kept":true}`)); err != nil {
		t.Fatal(err)
	}

	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	home := alice.get("/en/console").Body.String()
	if !strings.Contains(home, "data-keep-form") {
		t.Fatal("the console home does not offer to keep a sandbox app")
	}
	keep := url.Values{"app_id": {app.ID}, "api_key": {app.APIKey}, "name": {"My prototype"}}
	if w := alice.post("/en/console/keep", keep, false); w.Code != http.StatusForbidden {
		t.Fatalf("keep without CSRF: %d, want 403", w.Code)
	}
	for _, bad := range []url.Values{
		{"app_id": {app.ID}, "api_key": {other.APIKey}}, // another sandbox app's key
		{"app_id": {app.ID}, "api_key": {"sbk_wrong"}},
		{"app_id": {"0123456789abcdef0123456789abcdef"}, "api_key": {app.APIKey}},
	} {
		if w := alice.post("/en/console/keep", bad, true); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "data-form-error") {
			t.Errorf("keep with %v: %d, want 404 with the form's message", bad, w.Code)
		}
	}
	anon := newBrowser(t, ct.s)
	if w := anon.post("/en/console/keep", keep, true); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/en/login") {
		t.Fatalf("anonymous keep: %d %s, want the login page", w.Code, w.Header().Get("Location"))
	}
	w := alice.post("/en/console/keep", keep, true)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/en/console/apps/"+app.ID {
		t.Fatalf("keep: %d → %q", w.Code, w.Header().Get("Location"))
	}
	page := alice.get("/en/console/apps/" + app.ID).Body.String()
	if !strings.Contains(page, "My prototype") || !strings.Contains(page, "<dd>development</dd>") {
		t.Fatal("the kept app's page does not show its name and the development environment")
	}
	if !strings.Contains(alice.get("/en/console").Body.String(), app.ID) {
		t.Fatal("the kept app is not in the user's console")
	}
	// Keeping it twice, by anyone, fails: it is no longer a sandbox app.
	bob := newBrowser(t, ct.s)
	bob.ip = "192.0.2.9:1"
	bob.signup("bob@example.com", "Bob")
	if w := bob.post("/en/console/keep", keep, true); w.Code != http.StatusNotFound {
		t.Fatalf("bob keeps the kept app: %d, want 404", w.Code)
	}
	if w := bob.get("/en/console/apps/" + app.ID); w.Code != http.StatusNotFound {
		t.Fatalf("bob opens alice's kept app: %d, want 404", w.Code)
	}

	// Past the sandbox's expiry the sweep deletes the other app, not the kept one.
	now = now.Add(sb.Limits().AppTTL + time.Minute)
	if n, err := sb.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the one unkept app", n, err)
	}
	h, err := ct.eng.History(ctx, app.ID, "room", engine.HistoryFilter{Limit: 10})
	if err != nil || len(h.Publications) != 1 || string(h.Publications[0].Data) != `{"kept":true}` {
		t.Fatalf("the kept app's history: %+v, %v", h, err)
	}
	if _, err := ct.eng.GetApp(ctx, other.ID); err == nil {
		t.Fatal("the unkept sandbox app survived its expiry")
	}
}
