package main

// The responsive layout in headless Chromium, at a phone's, a tablet's and
// a desktop's size: nothing overflows sideways, header labels stay on one
// line (Chinese too), the docs sidebar is a drawer on narrow screens, and
// the sandbox's cards keep their shape with "Show code" open.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// layoutJS measures the current page: how far it overflows sideways (and
// the widest elements that stick out), which header labels wrap onto a
// second line, and which header items are covered by the sandbox pane.
const layoutJS = `(() => {
	const vw = document.documentElement.clientWidth;
	const overflow = document.documentElement.scrollWidth - vw;
	const wide = [];
	if (overflow > 0) {
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.right > vw + 1 && r.width > 0) wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right));
			if (wide.length >= 5) break;
		}
	}
	const wrapped = [];
	for (const el of document.querySelectorAll('.site-header a, .site-header button')) {
		if (!el.offsetParent) continue;
		const tops = [];
		const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			if (!n.textContent.trim()) continue;
			const r = document.createRange(); r.selectNodeContents(n);
			for (const b of r.getClientRects()) if (b.width > 0) tops.push(b.top);
		}
		if (tops.length && Math.max(...tops) - Math.min(...tops) > 6) wrapped.push(el.textContent.trim());
	}
	const covered = [];
	const pane = document.querySelector('.sb-pane:not([hidden])');
	if (pane && pane.getBoundingClientRect().top < 10) {
		const left = pane.getBoundingClientRect().left;
		for (const el of document.querySelectorAll('.site-header a, .site-header button, .site-header input')) {
			if (el.offsetParent && el.getBoundingClientRect().right > left + 1) covered.push(el.textContent.trim() || el.id);
		}
	}
	return { overflow, wide, wrapped, covered };
})()`

// layoutPage is a page state TestLayoutInBrowser measures: open, when set,
// runs after the page has loaded (as clicking "Show code").
type layoutPage struct{ name, path, open string }

type layoutResult struct {
	Overflow int      `json:"overflow"`
	Wide     []string `json:"wide"`
	Wrapped  []string `json:"wrapped"`
	Covered  []string `json:"covered"`
}

func TestLayoutInBrowser(t *testing.T) {
	base := startTestMain(t).URL()
	// A long token in the sandbox's channel name: it must scroll inside the
	// code block, not widen the card.
	longChannel := `const inp = document.querySelector('.sb-card .sb-channel'); inp.value = 'orders.` + strings.Repeat("x", 120) + `'; inp.dispatchEvent(new Event('input'));
		document.querySelector('.sb-card [data-action="subscribe"]')?.click();`
	pages := []layoutPage{
		{"docs", "/en/docs/engine/channels", ""},
		{"docs zh", "/zh/docs/engine/channels", ""},
		{"sandbox, Show code open", "/en/sandbox", clickWhenThere(`[data-action="show-code"]`) + ".then(() => {" + longChannel + "})"},
		{"sandbox zh, Show code open", "/zh/sandbox", clickWhenThere(`[data-action="show-code"]`)},
		{"docs, JavaScript tab with the editor open", "/en/docs/engine/peer-messages", clickWhenThere(`.code-tabs [role="tab"][data-tab="JavaScript"]`) + `.then(() => ` + clickWhenThere(`.tab-panel.active [data-action="edit"]`) + `)`},
		{"docs zh, sandbox pane open", "/zh/docs/engine/presence", clickWhenThere(`[data-sandbox-tryit]:not([hidden])`) + `.then(() => ` + clickWhenThere(`.sb-pane [data-action="show-code"]`) + `)`},
		{"forum", "/en/forum", ""},
		{"forum zh", "/zh/forum", ""},
		{"status", "/en/status", ""},
		{"response times", "/zh/community/response-times", ""},
	}
	// One browser per colour scheme: each fresh profile creates a sandbox
	// app, and one client IP may create only 5 an hour. The pages above
	// are checked signed out (the header's widest state, with Sign up),
	// and the console's pages are checked signed in, after the others.
	check := func(t *testing.T, ctx context.Context, v viewport, pages []layoutPage) {
		for _, p := range pages {
			navigate(t, ctx, base+p.path)
			eval[chromedp.Void](t, ctx, `localStorage.removeItem('sb.sandbox.pane')`)
			if p.open != "" {
				eval[chromedp.Void](t, ctx, p.open)
			}
			got := eval[layoutResult](t, ctx, layoutJS)
			if got.Overflow > 0 {
				t.Errorf("%s: page is %d px wider than the %d px window: %q", p.name, got.Overflow, v.w, got.Wide)
			}
			if len(got.Wrapped) > 0 {
				t.Errorf("%s: header labels on more than one line: %q", p.name, got.Wrapped)
			}
			if len(got.Covered) > 0 {
				t.Errorf("%s: header items under the sandbox pane: %q", p.name, got.Covered)
			}
		}
	}
	for i, scheme := range []string{"light", "dark"} {
		ctx := browser.New(t)
		for _, v := range []viewport{phone, tablet, desktop} {
			t.Run(fmt.Sprintf("%dx%d %s", v.w, v.h, scheme), func(t *testing.T) {
				emulate(t, ctx, v, scheme)
				check(t, ctx, v, pages)
			})
		}
		f := &forumTab{t: t, ctx: ctx, base: base}
		f.signup(fmt.Sprintf("layout%d@example.com", i), fmt.Sprintf("Layout Reader %d", i))
		teamPath, appID := f.newConsoleApp("Layout team with a rather long name", "An app whose name is long enough to wrap")
		console := []layoutPage{
			{"console", "/en/console", ""},
			{"console zh", "/zh/console", ""},
			{"console team", teamPath, ""},
			{"console app", "/en/console/apps/" + appID, ""},
			{"console usage zh", "/zh/console/apps/" + appID + "/usage", ""},
			{"console webhooks", "/en/console/apps/" + appID + "/webhooks", ""},
			{"docs zh signed in, sandbox pane open", "/zh/docs/engine/presence", pages[5].open},
		}
		for _, v := range []viewport{phone, tablet, desktop} {
			t.Run(fmt.Sprintf("%dx%d %s console", v.w, v.h, scheme), func(t *testing.T) {
				emulate(t, ctx, v, scheme)
				check(t, ctx, v, console)
			})
		}
	}

	// On a phone the article comes first: the sidebar is a drawer behind a
	// Menu button, and the header scrolls away instead of taking the screen.
	t.Run("phone docs menu", func(t *testing.T) {
		ctx := browser.New(t)
		emulate(t, ctx, phone, "light")
		navigate(t, ctx, base+"/zh/docs/engine/channels")
		if top := eval[float64](t, ctx, `document.querySelector('.docs-article h1').getBoundingClientRect().top`); top > float64(phone.h)/3 {
			t.Errorf("the page title starts %.0f px down a %d px screen", top, phone.h)
		}
		if got := eval[bool](t, ctx, `getComputedStyle(document.getElementById('docs-sidebar')).visibility === 'visible'`); got {
			t.Error("the sidebar shows before the menu is opened")
		}
		if pos := eval[string](t, ctx, `getComputedStyle(document.querySelector('.site-header')).position`); pos == "sticky" || pos == "fixed" {
			t.Errorf("the header is %s on a phone", pos)
		}
		if err := chromedp.Do(short(t, ctx),
			chromedp.Click(chromedp.CSS(`[data-docs-menu]`)),
			chromedp.Poll[chromedp.Void](`getComputedStyle(document.getElementById('docs-sidebar')).visibility === 'visible'`),
		); err != nil {
			t.Fatalf("open the menu: %v", err)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-docs-menu]').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("menu button aria-expanded %q when open", got)
		}
		if got := eval[string](t, ctx, `document.activeElement.closest('#docs-sidebar') ? document.activeElement.textContent : ''`); got == "" {
			t.Error("focus did not move into the opened menu")
		}
		if err := chromedp.Do(short(t, ctx),
			pressKey("Escape", "Escape", "", 27),
			chromedp.Poll[chromedp.Void](`document.querySelector('[data-docs-menu]').getAttribute('aria-expanded') === 'false' && document.activeElement.matches('[data-docs-menu]')`),
		); err != nil {
			t.Fatalf("Escape does not close the menu and return focus: %v", err)
		}
	})
}

// pageWeightJS sums what the page transferred (compressed bytes, the
// document and every resource) and lists the scripts it loaded.
const pageWeightJS = `(() => {
	const nav = performance.getEntriesByType('navigation')[0];
	const res = performance.getEntriesByType('resource');
	return { bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
		scripts: res.map(r => new URL(r.name).pathname).filter(p => p.endsWith('.js')).map(p => p.split('/').pop()) };
})()`

type pageWeight struct {
	Bytes   int      `json:"bytes"`
	Scripts []string `json:"scripts"`
}

// A docs page loads the sandbox's code only when the reader opens the
// pane; the page's weight is logged for the record (go test -v).
func TestDocsPageWeight(t *testing.T) {
	base := startTestMain(t).URL()
	ctx := browser.New(t)
	// Every page as a first visit: nothing from the cache.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		path     string
		runnable bool // has code blocks with Run
	}{{"/en/docs/engine/channels", true}, {"/zh/docs/overview", false}, {"/en/docs/engine/quickstart-js", true}} {
		navigate(t, ctx, base+p.path)
		if err := chromedp.Do(short(t, ctx), chromedp.WaitVisible(chromedp.CSS(`[data-sandbox-tryit]`))); err != nil {
			t.Fatalf("%s: no Try it button: %v", p.path, err)
		}
		if p.runnable {
			if err := chromedp.Do(short(t, ctx), chromedp.WaitReady(chromedp.CSS(`.sb-run-btn`))); err != nil {
				t.Fatalf("%s: no Run button: %v", p.path, err)
			}
		}
		w := eval[pageWeight](t, ctx, pageWeightJS)
		t.Logf("%s: %d bytes transferred, scripts %v", p.path, w.Bytes, w.Scripts)
		if slices.Contains(w.Scripts, "sandbox.js") {
			t.Errorf("%s: sandbox.js loaded before the pane was opened", p.path)
		}
		if got := slices.Contains(w.Scripts, "sandbox_run.js"); got != p.runnable {
			t.Errorf("%s: sandbox_run.js loaded: %v, want %v (only where code has Run)", p.path, got, p.runnable)
		}
	}
	if err := chromedp.Do(short(t, ctx),
		chromedp.Click(chromedp.CSS(`[data-sandbox-tryit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.sb-pane .sb-card`)),
	); err != nil {
		t.Fatalf("open the pane: %v", err)
	}
	if w := eval[pageWeight](t, ctx, pageWeightJS); !slices.Contains(w.Scripts, "sandbox.js") {
		t.Errorf("pane open, but scripts %v lack sandbox.js", w.Scripts)
	}
}
