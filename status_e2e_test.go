package main

// Browser test of the status page against the full wiring: the prober
// started by Run measures the real engine, the page shows the 90-day bars,
// and a staff member who logs in through the real login page posts an
// incident and an update that then appear on the status page.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

func TestStatusPageInBrowser(t *testing.T) {
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}, nil)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	if _, err := m.Forum.CreateUser(context.Background(), forum.SignUp{Email: "ops@example.com", Name: "Olga Ops",
		Password: "status page staff"}, forum.RoleStaff); err != nil {
		t.Fatal(err)
	}
	ctx := browser.New(t)
	console := watchConsole(ctx)
	base := m.URL()

	// The prober's first run starts with Run; the page shows it within the
	// 5 s the portal caches the figures.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
		navigate(t, ctx, base+"/en/status")
		state := eval[string](t, ctx, `document.querySelector('[data-state]').dataset.state`)
		if state == "operational" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %q 30 s after start, want operational", state)
		}
	}

	type barRow struct {
		Component string   `json:"component"`
		Bars      int      `json:"bars"`
		Levels    []string `json:"levels"`
		Titled    int      `json:"titled"`
		Texts     int      `json:"texts"`
		Label     string   `json:"label"`
		OneRow    bool     `json:"oneRow"`
		Width     float64  `json:"width"`
	}
	rows := eval[[]barRow](t, ctx, `[...document.querySelectorAll('.bar-row')].map((row) => {
		const bars = [...row.querySelectorAll('.bars > li')];
		const rects = bars.map((b) => b.getBoundingClientRect());
		return {
			component: row.dataset.component,
			bars: bars.length,
			levels: bars.map((b) => b.dataset.level),
			titled: bars.filter((b) => b.title.length > 10).length,
			texts: bars.filter((b) => b.querySelector('.visually-hidden')?.textContent.trim().length > 10).length,
			label: row.querySelector('.bars').getAttribute('aria-label'),
			oneRow: rects.every((r) => Math.abs(r.top - rects[0].top) < 1 && r.width > 0),
			width: rects.length ? rects[0].width : 0,
		};
	})`)
	if len(rows) != 4 {
		t.Fatalf("%d component bar rows, want 4", len(rows))
	}
	for _, r := range rows {
		if r.Bars != 90 || r.Titled != 90 || r.Texts != 90 {
			t.Errorf("%s: %d bars, %d with a tooltip, %d with accessible text; want 90 of each", r.Component, r.Bars, r.Titled, r.Texts)
		}
		if !r.OneRow || r.Width < 2 {
			t.Errorf("%s: bars are not laid out side by side in one row (first bar %.1f px wide)", r.Component, r.Width)
		}
		if !strings.Contains(r.Label, "90") {
			t.Errorf("%s: list label %q does not summarize the 90 days", r.Component, r.Label)
		}
		if len(r.Levels) == 90 {
			if r.Levels[89] != "up" {
				t.Errorf("%s: today is %q after good probes, want up", r.Component, r.Levels[89])
			}
			if r.Levels[0] != "no_data" {
				t.Errorf("%s: 89 days ago, before monitoring began, is %q, want no_data", r.Component, r.Levels[0])
			}
		}
	}
	if p := console.problems(); len(p) > 0 {
		t.Errorf("console problems on the status page: %v", p)
	}

	// Posting needs a staff login: the form sends an anonymous visitor to
	// the login page and back.
	navigate(t, ctx, base+"/en/status/incidents/new")
	if got := eval[string](t, ctx, `location.pathname`); got != "/en/login" {
		t.Fatalf("anonymous visitor of the incident form is at %s, want /en/login", got)
	}
	statusStep(t, ctx, "fill login", chromedp.SetValue(chromedp.CSS(`#login-email`), "ops@example.com"),
		chromedp.SetValue(chromedp.CSS(`#login-password`), "status page staff"))
	waitLoad(t, ctx, "log in", chromedp.Click(chromedp.CSS(`form[action="/en/login"] [data-submit]`)))
	if got := eval[string](t, ctx, `location.pathname`); got != "/en/status/incidents/new" {
		t.Fatalf("after logging in the staff member is at %s, want back at the incident form", got)
	}
	statusStep(t, ctx, "fill the incident",
		chromedp.SetValue(chromedp.CSS(`input[name="title"]`), "Delayed deliveries in one region"),
		chromedp.SetValue(chromedp.CSS(`select[name="severity"]`), "major"),
		chromedp.Click(chromedp.CSS(`input[name="components"][value="messaging"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "investigating"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="message"]`), "We are investigating slow deliveries."))
	waitLoad(t, ctx, "post the incident", chromedp.Click(chromedp.CSS(`.status-form button[type="submit"]`)))
	if got := eval[string](t, ctx, `location.pathname`); !strings.HasPrefix(got, "/en/status/incidents/") {
		t.Fatalf("after posting the page is %s, want the incident's page", got)
	}
	statusStep(t, ctx, "fill the update",
		chromedp.SetValue(chromedp.CSS(`#add-update select[name="status"]`), "resolved"),
		chromedp.SetValue(chromedp.CSS(`#add-update textarea[name="message"]`), "Fixed: a stuck queue was drained."))
	waitLoad(t, ctx, "post the update", chromedp.Click(chromedp.CSS(`#add-update button[type="submit"]`)))

	navigate(t, ctx, base+"/en/status")
	type incident struct {
		Title    string   `json:"title"`
		Updates  []string `json:"updates"`
		Response string   `json:"response"`
	}
	got := eval[[]incident](t, ctx, `[...document.querySelectorAll('.status-incident')].map((el) => ({
		title: el.querySelector('.status-incident-title').textContent.trim(),
		updates: [...el.querySelectorAll('.status-update')].map((u) => u.dataset.updateStatus + ': ' + u.querySelector('.status-update-message').textContent.trim()),
		response: el.querySelector('[data-fault-response]').textContent.trim(),
	}))`)
	if len(got) != 1 {
		t.Fatalf("%d incidents on the status page, want 1: %+v", len(got), got)
	}
	want := []string{"investigating: We are investigating slow deliveries.", "resolved: Fixed: a stuck queue was drained."}
	if got[0].Title != "Delayed deliveries in one region" || strings.Join(got[0].Updates, "|") != strings.Join(want, "|") {
		t.Errorf("incident %q with updates %q, want the posted title with updates %q", got[0].Title, got[0].Updates, want)
	}
	if got[0].Response == "" {
		t.Error("the incident shows no fault response time")
	}

	// The major Messaging incident colours today's Messaging bar as down,
	// in the legend's "down" colour, while the untouched components stay up.
	type today struct {
		Level, Colour, Title string
	}
	bars := eval[map[string]today](t, ctx, `Object.fromEntries([...document.querySelectorAll('.bar-row')].map((row) => {
		const b = row.querySelector('.bars > li:last-child');
		return [row.dataset.component, {Level: b.dataset.level, Colour: getComputedStyle(b).backgroundColor, Title: b.title}];
	}))`)
	legend := eval[map[string]string](t, ctx, `Object.fromEntries(['up', 'down'].map((l) =>
		[l, getComputedStyle(document.querySelector('.status-legend .bar-' + l)).backgroundColor]))`)
	if msg := bars["messaging"]; msg.Level != "down" || msg.Colour != legend["down"] || !strings.Contains(msg.Title, "1 incident that day") {
		t.Errorf("today's Messaging bar: %+v; want down, in the legend's down colour %s, naming the incident", msg, legend["down"])
	}
	if c := bars["engine_connect"]; c.Level != "up" || c.Colour != legend["up"] || c.Colour == legend["down"] {
		t.Errorf("today's Engine connect bar: %+v; want up, in the legend's up colour %s", c, legend["up"])
	}
	// Minutes of measurements are no evidence for a 30-day target.
	results := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-sla-result]')].map((el) => el.dataset.slaResult + ': ' + el.textContent.trim())`)
	for _, r := range results {
		if r != "insufficient_data: Insufficient data" {
			t.Errorf("SLA result %q after minutes of data, want insufficient_data", r)
		}
	}
	if cov := eval[string](t, ctx, `document.querySelector('[data-sla-coverage]').textContent`); !strings.Contains(cov, "measured (0.") {
		t.Errorf("SLA coverage %q, want the measured share of 30 days", cov)
	}
	if p := console.problems(); len(p) > 0 {
		t.Errorf("console problems: %v", p)
	}
}

// statusStep runs browser actions and fails the test with the page's text.
func statusStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main')?.innerText || ''`))
		t.Fatalf("%s: %v\npage:\n%.2000s", what, err, text)
	}
}
