package main

// The developer console in headless Chromium against the full wiring: a
// new account creates a team and an app, reads its credentials, generates
// a token, a real client connects with it and publishes, and the usage
// page's tables, charts and SDK census show that traffic.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

func TestConsoleInBrowser(t *testing.T) {
	// Usage is written every 300 ms instead of every minute.
	m := startTestMainWith(t, Config{UsageInterval: 300 * time.Millisecond})
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}

	f.signup("dev@example.com", "Dev Dana")
	_, appID := f.newConsoleApp("Acme Realtime", "Chat production")
	// Each secret has a copy button (site.js adds them to code blocks).
	if n := eval[int](t, ctx, `document.querySelectorAll('.console-secret .copy-btn').length`); n != 2 {
		t.Fatalf("%d copy buttons on the secrets, want 2", n)
	}
	f.do("copy certificate", chromedp.Click(chromedp.CSS(`.console-secret .copy-btn`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('.console-secret .copy-btn').dataset.copied === 'true'`, chromedp.WithPollingTimeout(5*time.Second)))

	// A token from the generator, for a real client.
	f.fill("#tok-user", "dana")
	f.submit("form[data-token-form] button")
	f.do("token", chromedp.WaitVisible(chromedp.CSS(`[data-secret="token"]`)))
	tok := strings.TrimSpace(f.text(`[data-secret="token"]`))
	if strings.Contains(eval[string](t, ctx, `document.documentElement.outerHTML`), "data-secret=\"certificate\"") {
		t.Fatal("the token page carries the certificate")
	}
	cctx := context.Background()
	c, err := client.Dial(cctx, "ws"+strings.TrimPrefix(m.URL(), "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatalf("connect with the generated token: %v", err)
	}
	defer c.Close()
	msgs := make(chan client.Message, 10)
	if _, err := c.SubscribeChan(cctx, "room", msgs); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.Publish(cctx, "room", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		select {
		case <-msgs:
		case <-time.After(5 * time.Second):
			t.Fatal("publication not received")
		}
	}

	// Within 70 s (here: a few flushes) the usage page shows it.
	deadline := time.Now().Add(70 * time.Second)
	for {
		navigate(t, ctx, f.base+"/en/console/apps/"+appID+"/usage")
		if strings.TrimSpace(f.text("[data-total-publishes]")) == "5" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage page shows %q publishes after 70 s, want 5", f.text("[data-total-publishes]"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := strings.TrimSpace(f.text("[data-total-rate]")); got != "100.00%" {
		t.Errorf("delivery rate %q, want 100.00%%", got)
	}
	f.do("charts", chromedp.Poll[chromedp.Void](`document.querySelector('[data-usage-charts]').dataset.drawn === '3' && document.querySelectorAll('[data-usage-charts] canvas').length >= 3`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if census := f.text("[data-sdks]"); !strings.Contains(census, "switchboard-go") {
		t.Errorf("SDK census %q, want the Go SDK", census)
	}
	if p := console.problems(); len(p) > 0 {
		t.Fatalf("browser console: %v", p)
	}
}

// newConsoleApp creates, as the signed-in reader, a team and an app in it
// through the console's forms, and returns the team page's path and the
// App ID; the browser is left on the new app's page.
func (f *forumTab) newConsoleApp(team, app string) (teamPath, appID string) {
	f.t.Helper()
	navigate(f.t, f.ctx, f.base+"/en/console")
	f.fill("#team-name", team)
	f.submit("form[data-new-team] button")
	f.do("team page", chromedp.WaitVisible(chromedp.CSS("form[data-invite-form]")))
	teamPath = eval[string](f.t, f.ctx, `location.pathname`)
	f.fill("#app-name", app)
	f.submit("form[data-new-app] button")
	f.do("created", chromedp.WaitVisible(chromedp.CSS("[data-created]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-secret="certificate"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-secret="api-key"]`)))
	appID = strings.TrimSpace(f.text("[data-app-id]"))
	if len(appID) != 32 {
		f.t.Fatalf("App ID %q", appID)
	}
	return teamPath, appID
}
