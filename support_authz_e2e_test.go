package main

// The authorization matrix of private tickets over real HTTP against the
// full wiring (console teams and apps, usage from a real WebSocket
// client): team member, member of another team, staff and anonymous ×
// every ticket action, the attached diagnostics and the feeds. Anyone who
// is neither on the ticket's team nor staff gets 404.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

func TestTicketAuthorizationMatrix(t *testing.T) {
	m := startTestMain(t)
	bg := context.Background()
	createUsers(t, m, e2eUser{"own@example.com", "Olga Owner", forum.RoleMember}, e2eUser{"out@example.com", "Otto Outsider", forum.RoleMember},
		e2eUser{"eng@example.com", "Eli Engineer", forum.RoleStaff})
	users := map[string]*forum.User{}
	for _, e := range []string{"own@example.com", "out@example.com", "eng@example.com"} {
		u, err := m.Forum.FindUser(bg, mustUserID(t, m, e))
		if err != nil {
			t.Fatal(err)
		}
		users[e] = u
	}
	owner, outsider, staff := users["own@example.com"], users["out@example.com"], users["eng@example.com"]
	cons := func(u *forum.User) context.Context {
		return console.NewContext(bg, console.Actor{UserID: u.ID, Name: u.Name, Email: u.Email})
	}
	team, err := m.Console.CreateTeam(cons(owner), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := m.Console.CreateApp(cons(owner), console.NewApp{TeamID: team.ID, Name: "prod-eu"})
	if err != nil {
		t.Fatal(err)
	}
	otherTeam, err := m.Console.CreateTeam(cons(outsider), "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := m.Console.CreateApp(cons(outsider), console.NewApp{TeamID: otherTeam.ID, Name: "theirs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Support.AssignPlanSystem(bg, team.ID, support.PlanPremium); err != nil {
		t.Fatal(err)
	}

	// Real usage: a client publishes three messages to itself.
	tok, err := m.Console.MintToken(cons(owner), app.ID, console.TestToken{UserID: "u1", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := client.Dial(bg, "ws"+strings.TrimPrefix(m.URL(), "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := make(chan client.Message, 10)
	if _, err := cl.SubscribeChan(bg, "room", got); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := cl.Publish(bg, "room", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("publication not received")
		}
	}
	if err := m.Usage.Flush(bg); err != nil {
		t.Fatal(err)
	}

	login := func(email string) *webClient {
		w := newWebClient(t, m.URL())
		if code, loc, _ := w.post("/en/login", "/en/login", url.Values{"email": {email}, "password": {e2ePassword}}); code != http.StatusSeeOther {
			t.Fatalf("login %s: %d %s", email, code, loc)
		}
		return w
	}
	clients := map[string]*webClient{"member": login("own@example.com"), "other team": login("out@example.com"),
		"staff": login("eng@example.com"), "anonymous": newWebClient(t, m.URL())}
	member := clients["member"]

	t.Run("the app must be the team's; diagnostics need an app", func(t *testing.T) {
		form := func(app, diag string) url.Values {
			return url.Values{"team": {strconv.FormatInt(team.ID, 10)}, "subject": {"Publishes fail on prod-eu"}, "body": {"Every publish returns 503."},
				"priority": {"high"}, "app": {app}, "diagnostics": {diag}}
		}
		page := member.get
		_, sp := page("/en/support")
		if !strings.Contains(sp, `value="`+app.ID+`"`) || strings.Contains(sp, theirs.ID) || !strings.Contains(sp, "data-diagnostics") {
			t.Fatal("the form does not offer the team's app (only), or lacks the diagnostics box")
		}
		if code, _, body := member.post("/en/support", "/en/support/tickets", form(theirs.ID, "1")); code != http.StatusBadRequest || !strings.Contains(body, "does not belong to the selected team") {
			t.Errorf("another team's app: %d", code)
		}
		if code, _, body := member.post("/en/support", "/en/support/tickets", form("", "1")); code != http.StatusBadRequest || !strings.Contains(body, "Choose an app") {
			t.Errorf("diagnostics without an app: %d", code)
		}
		code, loc, _ := member.post("/en/support", "/en/support/tickets", form(app.ID, "1"))
		if code != http.StatusSeeOther {
			t.Fatalf("open with app and diagnostics: %d", code)
		}
		_, tp := member.get(loc)
		if !strings.Contains(tp, `data-app="`+app.ID+`"`) || !strings.Contains(tp, `data-fig="publishes">3<`) || !strings.Contains(tp, `data-fig="rate">100.00%<`) {
			t.Errorf("the ticket page lacks the app or the snapshot (3 publishes, 100%% delivered):\n%.2000s", tp[strings.Index(tp, "<h1"):])
		}
		if code, js := member.get(loc + "/diagnostics.json"); code != http.StatusOK || !strings.Contains(js, `"publishes":3`) || !strings.Contains(js, `"app_id":"`+app.ID+`"`) {
			t.Errorf("diagnostics download: %d %s", code, js)
		}
		// Without diagnostics: the app is named, nothing attached.
		code, loc, _ = member.post("/en/support", "/en/support/tickets", form(app.ID, ""))
		if code != http.StatusSeeOther {
			t.Fatalf("open with an app only: %d", code)
		}
		if _, tp := member.get(loc); strings.Contains(tp, "data-diagnostics>") {
			t.Error("diagnostics attached without being asked for")
		}
		if code, _ := member.get(loc + "/diagnostics.json"); code != http.StatusNotFound {
			t.Errorf("download without diagnostics: %d, want 404", code)
		}
	})

	// Every action, each actor on a fresh ticket, in an order that keeps
	// the later actions possible (close last).
	type step struct {
		name, method, path string
		form               url.Values
	}
	steps := []step{
		{"view", "GET", "", nil},
		{"diagnostics", "GET", "/diagnostics.json", nil},
		{"reply", "POST", "/reply", url.Values{"body": {"More detail."}}},
		{"note", "POST", "/reply", url.Values{"body": {"Internal."}, "note": {"1"}}},
		{"escalate", "POST", "/escalate", url.Values{}},
		{"wait", "POST", "/wait", url.Values{}},
		{"claim", "POST", "/claim", url.Values{}},
		{"assign", "POST", "/assign", url.Values{"assignee": {strconv.FormatInt(staff.ID, 10)}}},
		{"unclaim", "POST", "/unclaim", url.Values{}},
		{"second line", "POST", "/second-line", url.Values{}},
		{"solve", "POST", "/solve", url.Values{}},
		{"close", "POST", "/close", url.Values{}},
	}
	const ok, see, forbid, hidden = http.StatusOK, http.StatusSeeOther, http.StatusForbidden, http.StatusNotFound
	want := map[string][]int{
		//             view diag reply note esc wait claim assign unclaim 2nd solve close
		"member":     {ok, ok, see, forbid, see, forbid, forbid, forbid, forbid, forbid, see, forbid},
		"staff":      {ok, ok, see, see, forbid, see, see, see, see, see, see, see},
		"other team": {hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden},
		"anonymous":  {hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden, hidden},
	}
	const subject = "Private: contract 7781 and app logs"
	for _, who := range []string{"member", "staff", "other team", "anonymous"} {
		tk, err := m.Support.Open(forum.NewContext(bg, owner), support.NewTicket{TeamID: team.ID, Subject: subject, Body: "Logs attached.",
			Priority: support.Normal, AppID: app.ID, Diagnostics: true})
		if err != nil {
			t.Fatal(err)
		}
		base := "/en/support/tickets/" + strconv.FormatInt(tk.ID, 10)
		c := clients[who]
		for i, st := range steps {
			var code int
			var body string
			if st.method == "GET" {
				code, body = c.get(base + st.path)
			} else {
				code, _, body = c.post("/en/login", base+st.path, st.form)
			}
			if code != want[who][i] {
				t.Errorf("%s %s: %d, want %d", who, st.name, code, want[who][i])
			}
			if code == hidden && strings.Contains(body, "contract 7781") {
				t.Errorf("%s %s: the 404 shows the subject", who, st.name)
			}
		}
	}

	t.Run("feeds, search and the public figures never show a ticket", func(t *testing.T) {
		for who, c := range clients {
			for _, p := range []string{"/en/forum/latest.atom", "/en/forum/unanswered.atom", "/en/forum/unsolved.atom", "/en/search?q=contract+7781",
				"/api/forum/response-times", "/en/community/response-times"} {
				// The search page echoes its query: look for the ticket's link and body.
				if _, body := c.get(p); strings.Contains(body, "/support/tickets/") || strings.Contains(body, "Logs attached") ||
					!strings.Contains(p, "search") && strings.Contains(body, "contract 7781") || strings.Contains(body, "Acme") {
					t.Errorf("%s GET %s shows a ticket's subject or team", who, p)
				}
			}
		}
	})
}
