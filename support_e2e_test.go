package main

// Browser test of private support against the full wiring: a Premium
// customer opens an urgent ticket, the staff queue shows it first, staff
// answer, and the ticket and the public dashboard show the figures.

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/internal/browser"
	"github.com/switchboard-rtm/switchboard/support"
)

func TestUrgentPremiumTicketInBrowser(t *testing.T) {
	m := startTestMain(t)
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}
	createUsers(t, m, e2eUser{"cto@example.com", "Cara CTO", forum.RoleMember}, e2eUser{"eng@example.com", "Eli Engineer", forum.RoleStaff})
	bg := context.Background()
	cara, err := m.Forum.FindUser(bg, mustUserID(t, m, "cto@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	// Her personal console team holds her tickets.
	team, err := m.Support.TeamByName(bg, cara.Username)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Support.AssignPlanSystem(bg, team.ID, support.PlanPremium); err != nil {
		t.Fatal(err)
	}
	// An older, normal ticket: the urgent one must still come first.
	if _, err := m.Support.Open(forum.NewContext(bg, cara), support.NewTicket{TeamID: team.ID, Subject: "Question about history TTL", Body: "How long is history kept?"}); err != nil {
		t.Fatal(err)
	}

	// 1. The customer opens an urgent ticket.
	f.login("cto@example.com")
	navigate(t, ctx, f.base+"/en/support")
	const subject = "Production app drops every publish"
	f.fill("#t-subject", subject, "#t-priority", "urgent", "#t-impact", "All 40k users of app prod-eu get no messages",
		"#t-body", "Since 10:02 UTC every publish on app `prod-eu` returns 503.")
	f.submit("button[data-submit]")
	ticketURL := eval[string](t, ctx, `location.href`)
	if !strings.Contains(ticketURL, "/en/support/tickets/") {
		t.Fatalf("after opening, at %s", ticketURL)
	}
	if got := f.text("[data-response-line]"); !regexp.MustCompile(`^Awaiting an official response: due in (59 minutes|1 hour)$`).MatchString(got) {
		t.Errorf("ticket line %q, want the awaited response due within the hour, night or day", got)
	}
	f.logout()

	// 2. The staff queue shows it first.
	f.login("eng@example.com")
	// One list of topics and tickets, soonest breach first: the demo's
	// overdue forum topics come before it, but no ticket does; filtered to
	// Premium, it is first.
	navigate(t, ctx, f.base+"/en/forum/queue")
	f.do("ticket queue", chromedp.WaitVisible(chromedp.CSS("table[data-ticket-queue]")))
	first := eval[string](t, ctx, `document.querySelector('table[data-ticket-queue] tbody tr[data-ticket]').textContent`)
	if !strings.Contains(first, subject) || !strings.Contains(first, "Urgent") {
		t.Fatalf("first ticket in the queue: %q, want the urgent one", first)
	}
	navigate(t, ctx, f.base+"/en/forum/queue?plan=premium")
	f.do("premium queue", chromedp.WaitVisible(chromedp.CSS("table[data-ticket-queue]")))
	if first := eval[string](t, ctx, `document.querySelector('table[data-ticket-queue] tbody tr').textContent`); !strings.Contains(first, subject) {
		t.Fatalf("first row of the Premium queue: %q, want the urgent ticket", first)
	}

	// 3. Staff answer; the ticket shows the response as met.
	navigate(t, ctx, ticketURL)
	f.fill("#t-reply", "We see it: a bad deploy on prod-eu. Rolled back at 10:20; please confirm.")
	f.submit("button[data-submit]")
	f.do("met line", chromedp.WaitVisible(chromedp.CSS(`[data-response-line].sla-met`)))
	if got := f.text("[data-response-line]"); !regexp.MustCompile(`^Official response in \d+ (second|minute)s?( \d+ seconds?)? \(target 1 hour around the clock\) ✓$`).MatchString(got) {
		t.Errorf("ticket line after the answer: %q", got)
	}
	f.logout()

	// 4. The public dashboard counts it, without its content.
	navigate(t, ctx, f.base+"/en/community/response-times")
	row := `document.querySelector('[data-ticket-row="premium/urgent"]')`
	if n := eval[string](t, ctx, row+`.querySelector('[data-figure="tickets"]').textContent`); n != "1" {
		t.Errorf("dashboard premium/urgent tickets %q, want 1", n)
	}
	if med := eval[string](t, ctx, row+`.querySelector('[data-figure="median"]').textContent`); !regexp.MustCompile(`^\d+ (second|minute)s?( \d+ seconds?)?$`).MatchString(med) {
		t.Errorf("dashboard median %q", med)
	}
	if met := eval[string](t, ctx, row+`.querySelector('[data-figure="met"]').textContent`); met != "100%" {
		t.Errorf("dashboard %% met %q", met)
	}
	if body := eval[string](t, ctx, `document.body.textContent`); strings.Contains(body, subject) || strings.Contains(body, "prod-eu") {
		t.Error("the dashboard shows ticket content")
	}
	time.Sleep(100 * time.Millisecond)
	if p := console.problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}

func mustUserID(t *testing.T, m *Main, email string) int64 {
	t.Helper()
	id, err := m.Forum.UserIDByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
