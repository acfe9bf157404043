package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// A reader whose address has used up the sandbox quota is told, in words,
// when to try again, and nothing waits for an app that will not come: the
// buttons that need one are disabled, and Run on a docs page says why.
func TestSandboxQuotaInBrowser(t *testing.T) {
	m, ctx := sandboxBrowser(t)
	l := m.Sandbox.Limits()
	for range l.AppsPerIP {
		if _, err := m.Sandbox.CreateApp(context.Background(), "127.0.0.1", 0); err != nil {
			t.Fatal(err)
		}
	}
	inWords := regexp.MustCompile(`Try again in (1 hour|59 minutes)\.`)

	must(t, ctx, "open the sandbox", chromedp.Navigate(m.URL()+"/en/sandbox"),
		waitText(`#sandbox-root .sb-status.sb-error`, "Try again in"))
	if got := text(t, ctx, `#sandbox-root .sb-status`); !inWords.MatchString(got) {
		t.Errorf("quota message %q, want the wait in words (1 hour)", got)
	}
	if !eval[bool](t, ctx, `document.querySelector('[data-action="add-client"]').disabled`) {
		t.Error("Add client is enabled with no app and no users")
	}
	if !eval[bool](t, ctx, `document.querySelector('#loadtest-start').disabled`) {
		t.Error("the load test's Start is enabled with no app")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#sandbox-root .sb-card').length`); n != 0 {
		t.Errorf("%d client cards with no app", n)
	}

	must(t, ctx, "zh sandbox", chromedp.Navigate(m.URL()+"/zh/sandbox"),
		waitText(`#sandbox-root .sb-status.sb-error`, "小时"))

	// Run on a docs page: the output gives the same reason, and Run can be
	// pressed again.
	const run = `.tab-panel.active .code-block[data-run="true"] .sb-run-btn`
	must(t, ctx, "docs page", chromedp.Navigate(m.URL()+"/en/docs/engine/channels"),
		chromedp.WaitVisible(chromedp.CSS(`.code-tabs [role="tab"][data-tab="JavaScript"]`)),
		chromedp.Click(chromedp.CSS(`.code-tabs [role="tab"][data-tab="JavaScript"]`)),
		chromedp.WaitVisible(chromedp.CSS(run)),
		chromedp.Click(chromedp.CSS(run)),
		waitText(`.sb-run-output .sb-run-error`, "Try again in"),
		chromedp.Poll[chromedp.Void](`!document.querySelector('`+run+`').disabled`))
	if got := text(t, ctx, `.sb-run-output .sb-run-error`); !inWords.MatchString(got) {
		t.Errorf("Run output %q, want the quota message", got)
	}
	if got := text(t, ctx, `#sandbox-pane .sb-status`); !inWords.MatchString(got) {
		t.Errorf("pane status %q, want the quota message", got)
	}
}
