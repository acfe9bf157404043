package main

// Browser tests of the docs, in headless Chromium against the full wiring:
// what a reader does with a mouse and a keyboard, and what they would see go
// wrong in the console.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/net/html"

	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// consoleLog collects the console messages, uncaught exceptions and browser
// log entries (where CSP violations and failed loads appear) of a tab.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	l := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.msgs = append(l.msgs, m)
			l.mu.Unlock()
		}
	}()
	return l
}

// problems returns and forgets the errors, exceptions and security
// messages seen so far.
func (l *consoleLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.msgs {
		if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" ||
			strings.Contains(m.Text, "Content Security Policy") {
			out = append(out, m.String()+" ("+m.URL+")")
		}
	}
	l.msgs = nil
	return out
}

// navigate loads url and waits until the page's script has run (the copy
// buttons exist on every page that has code; the html element gets class
// "js" on every page).
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	if err := pageReady(ctx); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
}

// pageReady waits, for up to 10 s, until the page has loaded and run its
// scripts: document.readyState "complete" and the html element's "js"
// class (set by site.js). An evaluation that lands while one document
// replaces another (a redirect, a form's response) fails with "Cannot find
// context" or "Execution context was destroyed"; that is retried, not a
// failure.
func pageReady(ctx context.Context) error {
	const ready = `document.readyState === 'complete' && document.documentElement.classList.contains('js')`
	deadline := time.Now().Add(10 * time.Second)
	for {
		try, cancel := context.WithDeadline(ctx, deadline)
		ok, err := chromedp.Run(try, chromedp.Evaluate[bool](ready))
		cancel()
		switch {
		case err == nil && ok:
			return nil
		case err != nil && !navigating(err) && ctx.Err() == nil && time.Now().Before(deadline):
			return fmt.Errorf("page ready: %w", err)
		case time.Now().After(deadline):
			if err != nil {
				return fmt.Errorf("page not ready after 10 s: %w", err)
			}
			return fmt.Errorf("page not ready after 10 s: readyState %q, scripts not run", readyState(ctx))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// navigating reports whether err is an evaluation that met a document
// being replaced.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context") || strings.Contains(msg, "Execution context was destroyed")
}

func readyState(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState`))
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitLoad runs the trigger and waits for the page it leads to.
func waitLoad(t *testing.T, ctx context.Context, what string, trigger chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := pageReady(ctx); err != nil {
		t.Fatalf("%s: page script never ran: %v", what, err)
	}
}

// short bounds one step, so that a page that never shows what the test
// waits for fails that step instead of using up the whole test's time.
func short(t *testing.T, ctx context.Context) context.Context {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pressKey presses a printable key the way a keyboard does: the keydown
// carries the text, so a handler that cancels the keydown keeps the
// character out of the page (chromedp.KeyEvent sends a separate char event,
// which a real browser would not).
func pressKey(key, code, text string, vk int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code,
			Text: text, UnmodifiedText: text, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code,
			WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
		return err
	})
}

func pathOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.pathname`)
}

func TestDocsInBrowser(t *testing.T) {
	m := startTestMain(t)
	base := m.URL()
	ctx := browser.New(t)
	console := watchConsole(ctx)

	// The console watcher must see a CSP violation, or its silence below
	// proves nothing; this also shows the browser enforces the policy.
	t.Run("CSP blocks inline script", func(t *testing.T) {
		navigate(t, ctx, base+"/en/docs/overview")
		eval[chromedp.Void](t, ctx, `(() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.head.appendChild(s); })()`)
		if eval[bool](t, ctx, `window.inlineRan === true`) {
			t.Error("an inline script ran: the CSP is not enforced")
		}
		var seen []string
		for deadline := time.Now().Add(5 * time.Second); len(seen) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			seen = console.problems()
		}
		if len(seen) == 0 || !strings.Contains(strings.Join(seen, "\n"), "Content Security Policy") {
			t.Errorf("the console watcher saw no CSP violation: %q", seen)
		}
	})

	t.Run("language switch keeps the page", func(t *testing.T) {
		navigate(t, ctx, base+"/en/docs/overview")
		waitLoad(t, ctx, "click 简体中文", chromedp.Click(chromedp.CSS(`.lang-switch a[hreflang="zh"]`)))
		if got := pathOf(t, ctx); got != "/zh/docs/overview" {
			t.Errorf("after the switch: %s, want /zh/docs/overview", got)
		}
		if got := eval[string](t, ctx, `document.documentElement.lang`); got != "zh-CN" {
			t.Errorf("<html lang> %q, want zh-CN", got)
		}
		if got := eval[string](t, ctx, `document.querySelector('h1').textContent`); got != "概览" {
			t.Errorf("h1 %q, want 概览", got)
		}
		// And back.
		waitLoad(t, ctx, "click English", chromedp.Click(chromedp.CSS(`.lang-switch a[hreflang="en"]`)))
		if got := pathOf(t, ctx); got != "/en/docs/overview" {
			t.Errorf("after switching back: %s, want /en/docs/overview", got)
		}
	})

	t.Run("search 频道 with the keyboard", func(t *testing.T) {
		navigate(t, ctx, base+"/zh/docs/")
		if err := chromedp.Do(ctx, pressKey("/", "Slash", "/", 191)); err != nil {
			t.Fatal(err)
		}
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "search-input" {
			t.Fatalf(`after "/": focus on %q, want the search box`, got)
		}
		if got := eval[string](t, ctx, `document.activeElement.value`); got != "" {
			t.Errorf(`"/" was typed into the box: %q`, got)
		}
		// An input method commits the word at once, as Input.insertText does.
		if err := chromedp.Do(short(t, ctx),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "频道"})
				return err
			}),
			chromedp.WaitVisible(chromedp.CSS(`#search-results a[role="option"]`)),
		); err != nil {
			t.Fatalf("no results appeared: %v", err)
		}
		results := eval[[]string](t, ctx, `[...document.querySelectorAll('#search-results a')].map(a => a.pathname)`)
		marks := eval[[]string](t, ctx, `[...document.querySelectorAll('#search-results mark')].map(m => m.textContent)`)
		if len(results) == 0 || len(marks) == 0 || marks[0] != "频道" {
			t.Fatalf("results %q with highlights %q, want pages with 频道 marked", results, marks)
		}
		// Each result says what it is: a docs page or a forum topic.
		if kinds := eval[[]string](t, ctx, `[...document.querySelectorAll('#search-results .r-kind')].map(k => k.textContent)`); len(kinds) != len(results) || kinds[0] != "文档" {
			t.Errorf("kinds %q for %q, want 文档 (Docs) first and one per result", kinds, results)
		}
		waitLoad(t, ctx, "open the first result", chromedp.Steps(chromedp.KeyEvent(kb.ArrowDown), pressKey("Enter", "Enter", "\r", 13)))
		if got := pathOf(t, ctx); got != results[0] {
			t.Errorf("Enter on the first result led to %s, want %s", got, results[0])
		}
		if !strings.Contains(eval[string](t, ctx, `document.querySelector('article').textContent`), "频道") {
			t.Error("the opened page does not contain 频道")
		}
	})

	t.Run("copy a code block", func(t *testing.T) {
		navigate(t, ctx, base+"/en/docs/contributing")
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name},
				Setting:    cdpbrowser.PermissionSettingGranted,
				Origin:     base,
			}); err != nil {
				t.Fatalf("grant %s: %v", name, err)
			}
		}
		// The first code block on the page is `go run . -dev`.
		want := eval[string](t, ctx, `document.querySelector('.code-block pre').textContent.replace(/\n$/, '')`)
		if want != "go run . -dev" {
			t.Fatalf("first code block %q, want go run . -dev", want)
		}
		if err := chromedp.Do(short(t, ctx),
			chromedp.Click(chromedp.CSS(`.code-block .copy-btn`)),
			chromedp.WaitVisible(chromedp.CSS(`.code-block .copy-btn[data-copied="true"]`)),
		); err != nil {
			t.Fatalf("copy button: %v", err)
		}
		if got := eval[string](t, ctx, `document.querySelector('.code-block .copy-btn').textContent`); got != "Copied" {
			t.Errorf("button says %q after copying, want Copied", got)
		}
		if got := eval[string](t, ctx, `navigator.clipboard.readText()`); got != want {
			t.Errorf("clipboard %q, want %q", got, want)
		}
	})

	t.Run("code tab choice is remembered", func(t *testing.T) {
		selected := `[...document.querySelectorAll('.code-tabs [role="tab"][aria-selected="true"]')].map(b => b.dataset.tab)`
		visible := `[...document.querySelectorAll('.code-tabs .tab-panel')].filter(p => p.offsetParent !== null).map(p => p.dataset.tab)`
		navigate(t, ctx, base+"/en/docs/contributing")
		eval[chromedp.Void](t, ctx, `localStorage.clear()`)
		navigate(t, ctx, base+"/en/docs/contributing")
		if got := eval[[]string](t, ctx, selected); len(got) != 1 || got[0] != "Linux" {
			t.Fatalf("initially selected %q, want [Linux]", got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.code-tabs [role="tab"][data-tab="Windows"]`))); err != nil {
			t.Fatal(err)
		}
		if got := eval[[]string](t, ctx, visible); len(got) != 1 || got[0] != "Windows" {
			t.Errorf("after clicking Windows, visible panels %q", got)
		}
		// Another page with a tab group, and the same page reloaded.
		for _, p := range []string{"/zh/docs/contributing", "/en/docs/contributing"} {
			navigate(t, ctx, base+p)
			if got := eval[[]string](t, ctx, selected); len(got) != 1 || got[0] != "Windows" {
				t.Errorf("%s: selected %q, want [Windows]", p, got)
			}
			if got := eval[[]string](t, ctx, visible); len(got) != 1 || got[0] != "Windows" {
				t.Errorf("%s: visible panels %q, want [Windows]", p, got)
			}
		}
	})

	t.Run("no console errors", func(t *testing.T) {
		console.problems() // forget what the steps above caused on purpose
		for _, p := range []string{"/en/", "/zh/", "/en/docs/", "/en/docs/overview", "/zh/docs/overview", "/en/docs/support-sla",
			"/zh/docs/support-sla", "/en/docs/contributing", "/zh/docs/contributing", "/en/docs/changelog", "/zh/docs/changelog", "/zh/search?q=频道"} {
			navigate(t, ctx, base+p)
			time.Sleep(100 * time.Millisecond) // late messages from module scripts
			for _, prob := range console.problems() {
				t.Errorf("%s: %s", p, prob)
			}
		}
	})
}

// TestLinksFullWiring crawls the running program from the docs homes and
// fails on any internal link that does not answer 200 (or redirect with 302
// or 303, as to a sign-in page, that answers 200) and any #anchor that is not
// an id on its target. Unlike portal's TestLinks it runs with every
// area configured (engine, SDK, sandbox, ...), so links from the docs into
// those areas are checked too.
func TestLinksFullWiring(t *testing.T) {
	base := startTestMain(t).URL()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	type page struct {
		status   int
		location string
		ids      map[string]bool
		links    []string
	}
	pages := map[string]*page{}
	fetch := func(p string) *page {
		if pg, ok := pages[p]; ok {
			return pg
		}
		pg := &page{ids: map[string]bool{}}
		pages[p] = pg
		res, err := client.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		defer res.Body.Close()
		pg.status, pg.location = res.StatusCode, res.Header.Get("Location")
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			io.Copy(io.Discard, res.Body)
			return pg
		}
		z := html.NewTokenizer(res.Body)
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			for _, a := range z.Token().Attr {
				switch a.Key {
				case "id":
					pg.ids[a.Val] = true
				case "href", "src":
					pg.links = append(pg.links, a.Val)
				}
			}
		}
		return pg
	}
	queue := []string{"/en/docs/", "/zh/docs/"}
	crawled := map[string]bool{}
	checked := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if crawled[p] {
			continue
		}
		crawled[p] = true
		for _, link := range fetch(p).links {
			if !strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "#") || strings.HasPrefix(link, "//") {
				continue
			}
			u, err := url.Parse(link)
			if err != nil {
				t.Errorf("%s: link %s: %v", p, link, err)
				continue
			}
			target := pages[p]
			if u.Path != "" {
				target = fetch(u.RequestURI())
			}
			checked++
			// "Sign in first" is a 302 or 303 to a page that works; a 301
			// means the link should name the canonical address instead.
			if (target.status == http.StatusFound || target.status == http.StatusSeeOther) && strings.HasPrefix(target.location, "/") {
				if next := fetch(target.location); next.status != http.StatusOK {
					t.Errorf("%s: link %s: redirects to %s, which answers %d", p, link, target.location, next.status)
				}
				continue
			}
			if target.status != http.StatusOK {
				t.Errorf("%s: link %s: status %d", p, link, target.status)
				continue
			}
			if u.Fragment != "" && !target.ids[u.Fragment] {
				t.Errorf("%s: link %s: no id %q on the target page", p, link, u.Fragment)
			}
			// Follow links within the docs, in both languages.
			if u.RawQuery == "" && (strings.HasPrefix(u.Path, "/en/docs/") || strings.HasPrefix(u.Path, "/zh/docs/")) && !strings.HasSuffix(u.Path, ".md") {
				queue = append(queue, u.Path)
			}
		}
	}
	if len(crawled) < 10 || checked < 200 {
		t.Errorf("crawled only %d pages and %d links: is the crawler following the sidebar?", len(crawled), checked)
	}
	t.Logf("crawled %d docs pages, checked %d links", len(crawled), checked)
}
