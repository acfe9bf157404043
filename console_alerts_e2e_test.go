package main

// An alert rule in headless Chromium against the full wiring: a developer
// adds a webhook endpoint for the alert events and a rule on the app's
// page; a real client's connection makes it fire and its disconnect makes
// it resolve. The page's state and history, a real SMTP sink and a real
// HTTP receiver see both.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/internal/browser"
	"github.com/switchboard-rtm/switchboard/internal/smtpsink"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

func TestConsoleAlertsInBrowser(t *testing.T) {
	sink := smtpsink.Start(t, "", "portal", "smtp-secret")
	// Usage is written (and rules evaluated) every 300 ms instead of every minute.
	m := startTestMainWith(t, Config{SkipDemo: true, UsageInterval: 300 * time.Millisecond,
		SMTPAddr: sink.Addr, SMTPUser: "portal", SMTPPassword: "smtp-secret", SMTPFrom: "Switchboard <support@switchboard.test>",
		SMTPStartTLS: true, SMTPTLS: sink.ClientTLS()})
	hooks := newHookReceiver(t)
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}

	f.signup("ops@example.com", "Ops Olu")
	navigate(t, ctx, f.base+"/en/console")
	f.fill("#team-name", "Acme Realtime")
	f.submit("form[data-new-team] button")
	f.fill("#app-name", "Chat production")
	f.submit("form[data-new-app] button")
	f.do("created", chromedp.WaitVisible(chromedp.CSS("[data-created]")))
	appID := strings.TrimSpace(f.text("[data-app-id]"))
	appPage := f.base + "/en/console/apps/" + appID

	// A webhook endpoint for the two alert events.
	navigate(t, ctx, appPage+"/webhooks")
	f.fill("#wh-url", hooks.srv.URL+"/hooks")
	f.do("choose events", chromedp.Click(chromedp.CSS(`input[name=events][value="alert.fired"]`)),
		chromedp.Click(chromedp.CSS(`input[name=events][value="alert.resolved"]`)))
	f.submit("form[data-add-webhook] button[type=submit]")

	// The rule: more than 0 connections over 1 minute.
	navigate(t, ctx, appPage)
	f.do("metric", chromedp.SetValue(chromedp.CSS("#alert-metric"), "connections"))
	f.fill("#alert-threshold", "0", "#alert-window", "1")
	f.submit("form[data-alert-form] button")
	if got := strings.TrimSpace(f.text("[data-alert-rules] tbody td")); got != "Connections above 0 over 1 min" {
		t.Fatalf("rule shown as %q", got)
	}
	f.fill("#tok-user", "olu")
	f.submit("form[data-token-form] button")
	tok := strings.TrimSpace(f.text(`[data-secret="token"]`))

	waitPage := func(what, sel string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			navigate(t, ctx, appPage)
			if eval[bool](t, ctx, `!!document.querySelector('`+sel+`')`) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s not on the app page after 30 s", what, sel)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	c, err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(m.URL(), "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	waitPage("fired", `[data-alert-state="firing"]`)
	c.Close()
	waitPage("resolved", `[data-alert-event="resolved"]`)
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-alert-event="fired"]').length`); n != 1 {
		t.Fatalf("%d firings in the history, want 1", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-alert-state]').dataset.alertState`); got != "ok" {
		t.Fatalf("rule state %q after resolution, want ok", got)
	}

	// Email: one letter per event, to the member, with an unsubscribe link.
	var letters []smtpsink.Received
	deadline := time.Now().Add(30 * time.Second)
	for len(letters) < 2 && time.Now().Before(deadline) {
		letters = letters[:0]
		for _, msg := range sink.Messages() {
			if strings.Contains(msg.Subject, "Connections above 0 over 1 min") {
				letters = append(letters, msg)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(letters) != 2 || !strings.HasPrefix(letters[0].Subject, "Alert on Chat production") || !strings.HasPrefix(letters[1].Subject, "Resolved on Chat production") {
		t.Fatalf("alert letters %d: %v", len(letters), subjects(letters))
	}
	for _, l := range letters {
		if l.To[0] != "ops@example.com" || l.Header.Get("List-Unsubscribe") == "" || !strings.Contains(l.Text, "/en/console/apps/"+appID) {
			t.Fatalf("letter to %v, unsubscribe %q, text %q", l.To, l.Header.Get("List-Unsubscribe"), l.Text)
		}
	}

	// Webhooks: alert.fired then alert.resolved, signed, with the rule's data.
	var got []hookRequest
	deadline = time.Now().Add(30 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		got = hooks.requests()
		time.Sleep(100 * time.Millisecond)
	}
	if len(got) != 2 || got[0].Type != webhooks.TypeAlertFired || got[1].Type != webhooks.TypeAlertResolved {
		t.Fatalf("receiver got %+v, want alert.fired then alert.resolved", got)
	}
	if got[0].Signature == "" || got[0].Data["metric"] != "connections" || got[0].Data["value"] != 1.0 || got[1].Data["value"] != 0.0 {
		t.Fatalf("alert.fired delivery %+v / %+v", got[0], got[1])
	}

	// The portal's notifications list both.
	navigate(t, ctx, f.base+"/en/notifications")
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-alert-notification]').length`); n != 2 {
		t.Fatalf("%d alert notifications, want 2", n)
	}
	if p := console.problems(); len(p) > 0 {
		t.Fatalf("browser console: %v", p)
	}
}

func subjects(ls []smtpsink.Received) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Subject)
	}
	return out
}
