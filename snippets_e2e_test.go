package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A reader picks JavaScript on one engine page and sees JavaScript on the
// next; edits a snippet in place and runs the edited code in the sandbox;
// runs a snippet that needs two demo users; resets the edit.
func TestEditAndRunSnippetsInBrowser(t *testing.T) {
	m, ctx := sandboxBrowser(t)
	selected := `[...document.querySelectorAll('.code-tabs [role="tab"][aria-selected="true"]')].map(b => b.dataset.tab)`
	allJS := func(what string) {
		t.Helper()
		got := eval[[]string](t, ctx, selected)
		if len(got) == 0 {
			t.Fatalf("%s: no code tabs", what)
		}
		for _, g := range got {
			if g != "JavaScript" {
				t.Errorf("%s: selected tabs %q, want JavaScript in every group", what, got)
				break
			}
		}
	}
	must(t, ctx, "channels page", chromedp.Navigate(m.URL()+"/en/docs/engine/channels"),
		chromedp.WaitVisible(chromedp.CSS(`.code-tabs`)))
	eval[chromedp.Void](t, ctx, `localStorage.clear(); sessionStorage.clear()`)
	must(t, ctx, "reload", chromedp.Navigate(m.URL()+"/en/docs/engine/channels"), chromedp.WaitVisible(chromedp.CSS(`.code-tabs`)))
	if got := eval[[]string](t, ctx, selected); len(got) == 0 || got[0] != "Go" {
		t.Fatalf("first visit: selected %q, want Go first", got)
	}
	must(t, ctx, "choose JavaScript", chromedp.Click(chromedp.CSS(`.code-tabs [role="tab"][data-tab="JavaScript"]`)))
	allJS("channels after the click")
	for _, p := range []string{"/en/docs/engine/presence", "/zh/docs/engine/history"} {
		must(t, ctx, p, chromedp.Navigate(m.URL()+p), chromedp.WaitVisible(chromedp.CSS(`.code-tabs`)))
		allJS(p)
	}

	// Edit the subscribe snippet in place and run it.
	const block = `.code-block[data-run="true"]:has(code)`
	first := `.tab-panel.active ` + block
	must(t, ctx, "back to channels", chromedp.Navigate(m.URL()+"/en/docs/engine/channels"),
		chromedp.WaitVisible(chromedp.CSS(first+` [data-action="edit"]`)))
	must(t, ctx, "edit", chromedp.Click(chromedp.CSS(first+` [data-action="edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(first+` textarea[data-editor]`)))
	if !eval[bool](t, ctx, `document.activeElement.matches('textarea[data-editor]') && document.querySelector('`+first+` pre').hidden`) {
		t.Error("Edit did not put the focus in the editor in place of the code")
	}
	before := eval[string](t, ctx, `document.querySelector('`+first+` textarea').value`)
	if !strings.Contains(before, "export async function subscribe(url, token)") || !strings.Contains(before, "{ text: 'hi', x: 1 }") {
		t.Fatalf("editor holds %q, want the subscribe snippet", before)
	}
	// Type over the message: select it and send keys, as a person would.
	eval[chromedp.Void](t, ctx, `(() => { const ta = document.querySelector('`+first+` textarea');
		const i = ta.value.indexOf("'hi'"); ta.setSelectionRange(i, i + 4); })()`)
	must(t, ctx, "type", chromedp.SendKeys(chromedp.CSS(first+` textarea`), `'edited in place'`))
	must(t, ctx, "Run the edited code", chromedp.Click(chromedp.CSS(first+` .sb-run-btn`)),
		waitText(`.sb-run-output`, `#1 alice: {"text":"edited in place","x":1}`),
		waitText(`.sb-run-output`, "subscribed to room.42"),
		waitText(`.sb-run-output`, "Finished."))
	must(t, ctx, "done editing", chromedp.Click(chromedp.CSS(first+` [data-action="edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(first+` pre`)))
	if got := text(t, ctx, first+` pre`); !strings.Contains(got, "'edited in place'") {
		t.Errorf("after editing the block shows %q", got)
	}
	must(t, ctx, "reset", chromedp.Click(chromedp.CSS(first+` [data-action="reset"]`)))
	if got := text(t, ctx, first+` pre`); !strings.Contains(got, "{ text: 'hi', x: 1 }") || eval[int](t, ctx, `document.querySelectorAll('`+first+` pre span[class]').length`) == 0 {
		t.Errorf("Reset did not bring back the highlighted docs code: %q", got)
	}

	// A snippet with two users: alice writes to bob, who is online in the
	// pane and in the snippet.
	must(t, ctx, "peer page", chromedp.Navigate(m.URL()+"/en/docs/engine/peer-messages"),
		chromedp.WaitVisible(chromedp.CSS(first+` .sb-run-btn`)))
	must(t, ctx, "Run peer", chromedp.Click(chromedp.CSS(first+` .sb-run-btn`)),
		waitText(`.sb-run-output`, "alice: are you there? (live)"),
		waitText(`.sb-run-output`, "Finished."))
	if out := text(t, ctx, `.sb-run-output`); strings.Contains(out, "rror") {
		t.Errorf("peer run output has an error: %s", out)
	}
}
