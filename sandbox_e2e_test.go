package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/internal/browser"
)

// sandboxBrowser starts the full wiring and a browser tab whose console
// output and exceptions are shown when the test fails.
func sandboxBrowser(t *testing.T) (*Main, context.Context) {
	t.Helper()
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}, nil)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	ctx := browser.New(t)
	var mu sync.Mutex
	var logs []string
	msgs := chromedp.Console(ctx)
	go func() {
		for msg, err := range msgs {
			if err != nil {
				return
			}
			mu.Lock()
			logs = append(logs, msg.String()+" ("+msg.URL+")")
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() {
			t.Logf("browser output:\n%s", strings.Join(logs, "\n"))
		}
	})
	return m, ctx
}

// waitText waits until an element matching sel contains text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => e.textContent.includes(%q))`, sel, text)
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))
}

// text returns the text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// must runs actions and fails the test with what was being done.
func must(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.sb-log, .sb-run-output, #loadtest-status, .sb-status')].map((e) => e.innerText).join('\n----\n') || document.querySelector('main')?.innerText || ''`))
		t.Fatalf("%s: %v\npage:\n%.3000s", what, err, html)
	}
}

const (
	paneCard   = `#sandbox-pane .sb-card[data-user="%s"]`
	cardAction = `#sandbox-pane .sb-card[data-user="%s"] button[data-action="%s"]`
)

// A reader opens the sandbox quick-start, clicks Try it, then Run: the
// snippet publishes as alice and the message arrives in bob's card. Bob
// disconnects, misses two messages, reconnects and gets them back. The
// pane, its app and its cards come back on the next docs page.
func TestSandboxTryItRunAndRecovery(t *testing.T) {
	m, ctx := sandboxBrowser(t)
	bob, alice := fmt.Sprintf(paneCard, "bob"), fmt.Sprintf(paneCard, "alice")
	must(t, ctx, "open the quick-start", chromedp.Navigate(m.URL()+"/en/docs/sandbox/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-sandbox-tryit]`)))
	must(t, ctx, "Try it", chromedp.Click(chromedp.CSS(`[data-sandbox-tryit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sandbox-pane`)),
		waitText(`#sandbox-pane .sb-app-id`, ""),
		waitText(bob+" .sb-log", "Subscribed to demo"),
		waitText(alice+" .sb-log", "Subscribed to demo"))
	appID := text(t, ctx, `#sandbox-pane .sb-app-id`)
	if len(appID) != 32 {
		t.Fatalf("App ID %q", appID)
	}
	must(t, ctx, "countdown", waitText(`#sandbox-pane .sb-countdown`, "in 23:59:"))

	must(t, ctx, "Run", chromedp.Click(chromedp.CSS(`.code-block[data-run="true"] .sb-run-btn`)),
		waitText(`.sb-run-output`, "alice published to demo at offset 1"),
		waitText(`.sb-run-output`, "Finished."),
		waitText(bob+` .sb-log li[data-kind="message"]`, `"text":"hello from Run"`))
	latency := text(t, ctx, bob+` .sb-log li[data-kind="message"] .sb-latency`)
	if !strings.HasSuffix(latency, " ms") {
		t.Errorf("latency shown as %q", latency)
	}

	// Disconnect bob, publish twice from alice's card, reconnect bob.
	must(t, ctx, "disconnect bob", chromedp.Click(chromedp.CSS(fmt.Sprintf(cardAction, "bob", "disconnect"))),
		chromedp.WaitVisible(chromedp.CSS(bob+` .sb-badge[data-state="disconnected"]`)))
	for _, text := range []string{"missed-one", "missed-two"} {
		must(t, ctx, "alice publishes "+text,
			chromedp.SetValue(chromedp.CSS(alice+` .sb-message`), fmt.Sprintf(`{"text":%q}`, text)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(cardAction, "alice", "publish"))),
			waitText(alice+` .sb-log li[data-kind="message"]`, text))
	}
	must(t, ctx, "reconnect bob", chromedp.Click(chromedp.CSS(fmt.Sprintf(cardAction, "bob", "reconnect"))),
		waitText(bob+` .sb-log`, "recovered 2 missed messages"),
		waitText(bob+` .sb-log li[data-kind="message"]`, `#2 alice: {"text":"missed-one"`),
		waitText(bob+` .sb-log li[data-kind="message"]`, `#3 alice: {"text":"missed-two"`))
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll(%q)].filter((li) => li.textContent.includes("(recovered)")).length === 2`,
		bob+` .sb-log li[data-kind="message"]`), chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("bob's log does not mark the two missed messages as recovered: %v", err)
	}

	// Show code gives both SDKs' calls.
	must(t, ctx, "show code", chromedp.Click(chromedp.CSS(fmt.Sprintf(cardAction, "bob", "show-code"))),
		waitText(bob+` .sb-code-pane[data-lang="js"]`, "recover: sub_demoPos"),
		waitText(bob+` .sb-code-pane[data-lang="go"]`, "client.WithRecover(sub_demoPos)"))

	// The next docs page brings the pane back with the same app and cards.
	must(t, ctx, "next page", chromedp.Navigate(m.URL()+"/en/docs/overview"),
		chromedp.WaitVisible(chromedp.CSS(`#sandbox-pane`)),
		waitText(`#sandbox-pane .sb-app-id`, appID),
		waitText(bob+" .sb-log", "Subscribed to demo"))
	must(t, ctx, "collapse", chromedp.Click(chromedp.CSS(`#sandbox-pane button[data-action="collapse"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`#sandbox-pane`)))
}

// A small load test from the full page reports 100% delivery, and its
// permalink shows the same report.
func TestSandboxLoadTestReport(t *testing.T) {
	m, ctx := sandboxBrowser(t)
	must(t, ctx, "open the sandbox", chromedp.Navigate(m.URL()+"/en/sandbox"),
		waitText(`#sandbox-root .sb-card[data-user="bob"] .sb-log`, "Subscribed to demo"))
	set := func(name, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(`#loadtest-form input[name="`+name+`"]`), v)
	}
	must(t, ctx, "start", set("clients", "10"), set("channels", "2"), set("rate", "40"), set("payload_bytes", "64"), set("duration_seconds", "2"),
		chromedp.Click(chromedp.CSS(`#loadtest-start`)),
		waitText(`#loadtest-status`, "sent"),
		waitText(`.sb-report [data-metric="delivery_rate"]`, "100.00%"))
	points, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#chart-latency canvas, #chart-delivery canvas').length`))
	if err != nil {
		t.Fatal(err)
	}
	if points < 2 {
		t.Errorf("%d chart canvases, want 2", points)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.sb-permalink').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(href, "/en/sandbox/reports/") {
		t.Fatalf("permalink %q", href)
	}
	must(t, ctx, "open the permalink", chromedp.Navigate(m.URL()+href),
		waitText(`h1`, "Load-test report"),
		waitText(`[data-metric="delivery_rate"]`, "100.00%"),
		waitText(`.sandbox-report-table`, "met"))
	must(t, ctx, "report JSON", chromedp.Navigate(m.URL()+"/api/sandbox/reports/"+strings.TrimPrefix(href, "/en/sandbox/reports/")))
	raw := text(t, ctx, "body")
	var rep struct {
		DeliveryRate float64               `json:"delivery_rate_percent"`
		Params       struct{ Clients int } `json:"params"`
	}
	if err := json.Unmarshal([]byte(raw), &rep); err != nil || rep.DeliveryRate != 100 || rep.Params.Clients != 10 {
		t.Errorf("report JSON: %v %+v", err, rep)
	}
}
