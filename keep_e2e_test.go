package main

// Keeping a sandbox app from the sandbox pane, in headless Chromium
// against the full wiring: signed out, "Keep this app" leads to the login
// form and back; signed in, it moves the app, with its history and usage,
// into the reader's console.

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

func TestSandboxKeepAppInBrowser(t *testing.T) {
	// Usage is written every 300 ms instead of every minute.
	m := startTestMainWith(t, Config{UsageInterval: 300 * time.Millisecond})
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}
	f.signup("keeper@example.com", "Kim Keeper")
	f.logout()

	// Signed out: open the sandbox pane and publish from alice's card.
	alice := fmt.Sprintf(paneCard, "alice")
	must(t, ctx, "open the quick-start", chromedp.Navigate(m.URL()+"/en/docs/sandbox/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-sandbox-tryit]`)))
	must(t, ctx, "Try it", chromedp.Click(chromedp.CSS(`[data-sandbox-tryit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sandbox-pane`)),
		waitText(alice+" .sb-log", "Subscribed to demo"))
	appID := text(t, ctx, `#sandbox-pane .sb-app-id`)
	if len(appID) != 32 {
		t.Fatalf("App ID %q", appID)
	}
	must(t, ctx, "alice publishes",
		chromedp.SetValue(chromedp.CSS(alice+` .sb-message`), `{"text":"keep me"}`),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(cardAction, "alice", "publish"))),
		waitText(alice+` .sb-log li[data-kind="message"]`, "keep me"))
	keepBtn := `#sandbox-pane button[data-action="keep-app"]`
	if got := text(t, ctx, keepBtn); got != "Keep this app" {
		t.Fatalf("keep button says %q", got)
	}

	// Keeping it signed out leads to the login form, which comes back here.
	waitLoad(t, ctx, "keep, signed out", chromedp.Click(chromedp.CSS(keepBtn)))
	loc, err := url.Parse(eval[string](t, ctx, `location.href`))
	if err != nil || loc.Path != "/en/login" || loc.Query().Get("next") != "/en/docs/sandbox" {
		t.Fatalf("keep signed out: at %v, want /en/login?next=/en/docs/sandbox", loc)
	}
	f.fill("#login-email", "keeper@example.com", "#login-password", e2ePassword)
	f.submit("button[data-submit]")
	if p := eval[string](t, ctx, `location.pathname`); p != "/en/docs/sandbox" {
		t.Fatalf("after login at %s, want back on the sandbox page", p)
	}

	// Signed in, the pane (open again, as it was left, with the same app)
	// keeps it.
	if !eval[bool](t, ctx, `JSON.parse(localStorage.getItem('sb.sandbox.pane') || '{}').open === true`) {
		t.Fatal("the pane was left open, but its stored state says closed")
	}
	must(t, ctx, "the same app", chromedp.WaitVisible(chromedp.CSS(keepBtn)), waitText(`#sandbox-pane .sb-app-id`, appID))
	waitLoad(t, ctx, "keep", chromedp.Click(chromedp.CSS(keepBtn)))
	if p := eval[string](t, ctx, `location.pathname`); p != "/en/console/apps/"+appID {
		t.Fatalf("after keeping at %s, want the app's console page", p)
	}
	if !strings.Contains(f.text("main"), "development") || strings.TrimSpace(f.text("[data-app-id]")) != appID {
		t.Fatal("the kept app's page does not show its App ID and the development environment")
	}
	if eval[bool](t, ctx, `localStorage.getItem('sb.sandbox.app') !== null`) {
		t.Error("the sandbox still holds the kept app as its own")
	}
	navigate(t, ctx, f.base+"/en/console")
	if !strings.Contains(f.text("main"), appID) {
		t.Fatal("the kept app is not in the console")
	}

	// Its data came with it: the history, and the usage the console shows.
	h, err := m.Engine.History(context.Background(), appID, "demo", engine.HistoryFilter{Limit: 10})
	if err != nil || len(h.Publications) != 1 || !strings.Contains(string(h.Publications[0].Data), "keep me") {
		t.Fatalf("the kept app's history: %+v, %v", h, err)
	}
	deadline := time.Now().Add(70 * time.Second)
	for {
		navigate(t, ctx, f.base+"/en/console/apps/"+appID+"/usage")
		if strings.TrimSpace(f.text("[data-total-publishes]")) == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage page shows %q publishes after 70 s, want the sandbox's 1", f.text("[data-total-publishes]"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if census := f.text("[data-sdks]"); !strings.Contains(census, "switchboard-js") || !strings.Contains(census, "current") {
		t.Errorf("SDK census %q, want the sandbox's JavaScript SDK, rated current", census)
	}
	if p := console.problems(); len(p) > 0 {
		t.Fatalf("browser console: %v", p)
	}
}
