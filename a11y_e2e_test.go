package main

// Accessibility in headless Chromium: axe-core (Deque's engine, vendored
// under testdata/axe-core, never served by the portal) runs on the main
// pages in both themes at a phone's and a desktop's width, and fails the
// test on any critical or serious violation of a WCAG 2.1 A or AA rule.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// viewport is one window size the layout must work at.
type viewport struct{ w, h int64 }

var (
	phone   = viewport{390, 844}
	tablet  = viewport{820, 1180}
	desktop = viewport{1400, 900}
)

// emulate sets the window size and the system colour scheme ("light" or
// "dark") the page sees.
func emulate(t *testing.T, ctx context.Context, v viewport, scheme string) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.w < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(v.w, v.h, opts...),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
	); err != nil {
		t.Fatalf("emulate %dx%d %s: %v", v.w, v.h, scheme, err)
	}
}

// axeViolation is what the test reports of one failed rule.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// runAxe evaluates axe-core on the current page and returns its critical
// and serious violations of the WCAG 2.0/2.1 A and AA rules.
func runAxe(t *testing.T, ctx context.Context, script string) []axeViolation {
	t.Helper()
	eval[chromedp.Void](t, ctx, `window.axe ? undefined : (0, eval)(`+script+`)`)
	out := eval[string](t, ctx, `axe.run(document, {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
		resultTypes: ['violations'],
	}).then(r => JSON.stringify(r.violations
		.filter(v => v.impact === 'critical' || v.impact === 'serious')
		.map(v => ({ id: v.id, impact: v.impact, help: v.help,
			targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
			summary: (v.nodes[0] && v.nodes[0].failureSummary || '').slice(0, 300) })))) `)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe result %q: %v", out, err)
	}
	return vs
}

// clickWhenThere returns a script that waits for sel to be on the page and
// clicks every element it matches.
func clickWhenThere(sel string) string {
	return fmt.Sprintf(`new Promise((done) => { const tick = () => { const els = document.querySelectorAll(%q);
		if (els.length) { els.forEach((e) => e.click()); done(); } else setTimeout(tick, 50); }; tick(); })`, sel)
}

// axeScript returns the vendored axe-core as a JavaScript string literal.
func axeScript(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	lit, err := json.Marshal(string(src))
	if err != nil {
		t.Fatal(err)
	}
	return string(lit)
}

// a11yPages are the page states checked, in order: the first ones signed
// out, the rest after signing up. open, when set, runs after the page has
// loaded (as opening the sandbox pane).
type a11yPage struct {
	name, path string
	open       string
}

func TestAccessibilityInBrowser(t *testing.T) {
	base := startTestMain(t).URL()
	script := axeScript(t)
	for i, c := range []struct {
		v      viewport
		scheme string
	}{{phone, "light"}, {phone, "dark"}, {desktop, "light"}, {desktop, "dark"}} {
		t.Run(fmt.Sprintf("%dpx %s", c.v.w, c.scheme), func(t *testing.T) {
			ctx := browser.New(t)
			emulate(t, ctx, c.v, c.scheme)
			f := &forumTab{t: t, ctx: ctx, base: base}
			check := func(p a11yPage) {
				navigate(t, ctx, base+p.path)
				if p.open != "" {
					eval[chromedp.Void](t, ctx, p.open)
				}
				for _, v := range runAxe(t, ctx, script) {
					t.Errorf("%s (%s): %s %s: %s at %s\n  %s", p.name, p.path, v.Impact, v.ID, v.Help, strings.Join(v.Targets, ", "), v.Summary)
				}
			}
			for _, p := range []a11yPage{
				{"login", "/en/login", ""},
				{"sign-up", "/zh/signup", ""},
			} {
				check(p)
			}
			f.signup(fmt.Sprintf("a11y%d@example.com", i), fmt.Sprintf("A11y Reader %d", i))
			navigate(t, ctx, base+"/en/forum")
			topic := eval[string](t, ctx, `document.querySelector('a[href*="/forum/t/"]').pathname`)
			teamPath, appID := f.newConsoleApp("Accessible team", "Accessible app")
			for _, p := range []a11yPage{
				{"docs", "/en/docs/engine/channels", ""},
				{"docs zh", "/zh/docs/overview", ""},
				{"sandbox", "/en/sandbox", ""},
				{"sandbox, Show code open", "/en/sandbox", clickWhenThere(`[data-action="show-code"]`)},
				{"docs, sandbox pane open", "/en/docs/engine/presence", clickWhenThere(`[data-sandbox-tryit]:not([hidden])`) + `.then(() => ` + clickWhenThere(`.sb-pane [data-action="show-code"]`) + `)`},
				{"forum", "/en/forum", ""},
				{"topic", topic, ""},
				{"new topic", "/en/forum/new", ""},
				{"response times", "/en/community/response-times", ""},
				{"status", "/en/status", ""},
				{"search", "/en/search?q=channel", ""},
				{"console", "/en/console", ""},
				{"console team", teamPath, ""},
				{"console app", "/zh/console/apps/" + appID, ""},
				{"console usage", "/en/console/apps/" + appID + "/usage", ""},
				{"console webhooks", "/en/console/apps/" + appID + "/webhooks", ""},
			} {
				check(p)
			}
		})
	}
}

// contrastJS returns, for the current page, the lowest contrast ratio of
// the body text on the page background and of every highlighted code token
// on its code block's background, as {body, code, token}.
const contrastJS = `(() => {
	const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
	const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
	const cs = (el) => getComputedStyle(el);
	const body = ratio(cs(document.body).color, cs(document.body).backgroundColor);
	let code = 99, token = '';
	for (const span of document.querySelectorAll('.code-block pre span[class]')) {
		if (!span.textContent.trim()) continue;
		const r = ratio(cs(span).color, cs(span.closest('.code-block')).backgroundColor);
		if (r < code) { code = r; token = span.className + ' ' + JSON.stringify(span.textContent) + ' ' + cs(span).color; }
	}
	return { body, code, token, bg: cs(document.body).backgroundColor };
})()`

type contrastResult struct {
	Body  float64 `json:"body"`
	Code  float64 `json:"code"`
	Token string  `json:"token"`
	Bg    string  `json:"bg"`
}

// The theme toggle cycles system, light, dark; the choice is remembered
// across pages and reloads; in every theme body text and code tokens are
// readable (4.5:1).
func TestThemeInBrowser(t *testing.T) {
	base := startTestMain(t).URL()
	ctx := browser.New(t)
	const page = "/en/docs/engine/channels"
	const darkBg = "rgb(15, 20, 27)"
	const lightBg = "rgb(255, 255, 255)"
	readable := func(what string) contrastResult {
		t.Helper()
		c := eval[contrastResult](t, ctx, contrastJS)
		if c.Body < 4.5 {
			t.Errorf("%s: body text contrast %.2f, want >= 4.5", what, c.Body)
		}
		if c.Code < 4.5 {
			t.Errorf("%s: code token %s: contrast %.2f, want >= 4.5", what, c.Token, c.Code)
		}
		return c
	}
	theme := func() string { return eval[string](t, ctx, `document.documentElement.dataset.theme || 'system'`) }

	emulate(t, ctx, desktop, "light")
	navigate(t, ctx, base+page)
	if got := theme(); got != "system" {
		t.Fatalf("a new reader's theme is %q, want system", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-theme-toggle]').getAttribute('aria-label')`); !strings.HasPrefix(got, "Theme: system") {
		t.Errorf("toggle's name %q, want Theme: system ...", got)
	}
	if c := readable("system light"); c.Bg != lightBg {
		t.Errorf("system light: background %s, want %s", c.Bg, lightBg)
	}
	for _, want := range []string{"light", "dark"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-theme-toggle]`))); err != nil {
			t.Fatal(err)
		}
		if got := theme(); got != want {
			t.Fatalf("after a click the theme is %q, want %s", got, want)
		}
	}
	if c := readable("dark by the toggle"); c.Bg != darkBg {
		t.Errorf("dark by the toggle on a light system: background %s, want %s", c.Bg, darkBg)
	}
	// Remembered on the next page (in Chinese too) and after a reload.
	for _, p := range []string{"/zh/docs/overview", page} {
		navigate(t, ctx, base+p)
		if got := theme(); got != "dark" {
			t.Errorf("%s: theme %q, want the chosen dark", p, got)
		}
	}
	readable("dark, remembered")
	// Back to following the system, which is now dark.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-theme-toggle]`))); err != nil {
		t.Fatal(err)
	}
	emulate(t, ctx, desktop, "dark")
	navigate(t, ctx, base+page)
	if got := theme(); got != "system" {
		t.Errorf("after a third click and a reload: theme %q, want system", got)
	}
	if c := readable("system dark"); c.Bg != darkBg {
		t.Errorf("system dark: background %s, want %s", c.Bg, darkBg)
	}
	// The toggle wins over the system: light on a dark system.
	eval[chromedp.Void](t, ctx, `localStorage.setItem('switchboard.theme', 'light')`)
	navigate(t, ctx, base+page)
	if c := readable("light by choice on a dark system"); c.Bg != lightBg {
		t.Errorf("light chosen on a dark system: background %s, want %s", c.Bg, lightBg)
	}
}
