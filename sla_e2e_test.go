package main

// Browser test of the response-time (SLA) feature against the full wiring:
// a member asks, the staff queue counts down, staff answer, the topic shows
// the response as met and the public dashboard counts it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// durationPattern matches an English duration as the portal writes it
// ("45 seconds", "1 minute 30 seconds", "8 hours 29 minutes").
const durationPattern = `\d+ (day|hour|minute|second)s?( \d+ (hour|minute|second)s?)?`

func TestSLAInBrowser(t *testing.T) {
	m := startTestMain(t)
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}
	createUsers(t, m, e2eUser{"member@example.com", "Member Mia", forum.RoleMember}, e2eUser{"staff@example.com", "Staff Sam", forum.RoleStaff})
	before := responseTimes(t, m.URL())

	// 1. A member asks a question; the topic shows the awaited response.
	f.login("member@example.com")
	navigate(t, ctx, f.base+"/en/forum/new")
	const title = "Presence events arrive twice after reconnecting"
	f.fill("#new-title", title, "#new-body", "After a reconnect every presence join event is delivered twice to my handler.")
	f.submit("button[data-submit]")
	topicURL := eval[string](t, ctx, `location.href`)
	if !strings.Contains(topicURL, "/en/forum/t/") {
		t.Fatalf("after asking, at %s", topicURL)
	}
	if got := f.text(".sla-line"); !strings.HasPrefix(got, "Awaiting an official response: due in ") {
		t.Errorf("topic line %q, want the awaited response with its due time", got)
	}
	f.logout()

	// 2. The staff queue lists it with a live countdown.
	f.login("staff@example.com")
	navigate(t, ctx, f.base+"/en/forum/queue")
	f.do("countdowns running", chromedp.WaitVisible(chromedp.CSS("table.sla-queue[data-live]")))
	row := fmt.Sprintf(`[...document.querySelectorAll('table.sla-queue tbody tr')].find(r => r.textContent.includes(%q))`, title)
	countdown := eval[string](t, ctx, row+`?.querySelector('time.sla-countdown')?.textContent ?? 'no row'`)
	if !regexp.MustCompile(`^due in ` + durationPattern + `$`).MatchString(countdown) {
		t.Errorf("queue countdown %q, want \"due in …\"", countdown)
	}

	// 3. Staff answer; the topic shows the response as met.
	navigate(t, ctx, topicURL)
	f.fill("#reply-body", "This is fixed in 1.4: the client deduplicates presence after a resume.")
	f.submit("button[data-submit]")
	f.do("met line", chromedp.WaitVisible(chromedp.CSS(`.sla-line[data-sla-state="met"]`)))
	if got := f.text(".sla-line"); !regexp.MustCompile(`^Official response in ` + durationPattern + ` business time \(target 8 hours 30 minutes business time\) ✓$`).MatchString(got) {
		t.Errorf("topic line after the answer: %q", got)
	}
	if hover := eval[string](t, ctx, `document.querySelector('.sla-line').title`); !strings.HasPrefix(hover, "Calendar time: ") {
		t.Errorf("hover %q, want the calendar time", hover)
	}
	navigate(t, ctx, f.base+"/en/forum/queue")
	if found := eval[bool](t, ctx, row+` !== undefined`); found {
		t.Errorf("the answered topic is still in the queue")
	}

	// 4. The public dashboard counts it.
	after := responseTimes(t, m.URL())
	if after.Summary.Answered != before.Summary.Answered+1 || after.Summary.Met != before.Summary.Met+1 {
		t.Errorf("API answered/met %d/%d, want %d/%d", after.Summary.Answered, after.Summary.Met, before.Summary.Answered+1, before.Summary.Met+1)
	}
	f.logout()
	navigate(t, ctx, f.base+"/en/community/response-times")
	if got := f.text(".sla-note"); !strings.Contains(got, fmt.Sprintf("%d answered", after.Summary.Answered)) {
		t.Errorf("dashboard note %q, want %d answered", got, after.Summary.Answered)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.sla-chart svg g.sla-bar').length`); n != 12 {
		t.Errorf("chart has %d weekly bars, want 12", n)
	}
	time.Sleep(100 * time.Millisecond)
	if p := console.problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}

// e2eUser is an account a browser test signs in as.
type e2eUser struct {
	email, name string
	role        forum.Role
}

// createUsers creates accounts with roles directly in the store.
func createUsers(t *testing.T, m *Main, users ...e2eUser) {
	t.Helper()
	for _, u := range users {
		if _, err := m.Forum.CreateUser(context.Background(), forum.SignUp{Email: u.email, Name: u.name, Password: e2ePassword}, u.role); err != nil {
			t.Fatal(err)
		}
	}
}

type responseTimesSummary struct {
	Summary struct {
		Answered int `json:"answered"`
		Met      int `json:"met"`
	} `json:"summary"`
}

func responseTimes(t *testing.T, base string) responseTimesSummary {
	t.Helper()
	resp, err := http.Get(base + "/api/forum/response-times")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r responseTimesSummary
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/forum/response-times: %d %v", resp.StatusCode, err)
	}
	return r
}
