package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// consoleTeams is main's support_teams.go adapter, cut down for this
// test: tickets belong to console teams.
type consoleTeams struct{ con *console.Service }

func (c consoleTeams) TeamsOf(context.Context, int64) ([]support.Team, error) { return nil, nil }
func (c consoleTeams) IsMember(ctx context.Context, team, user int64) (bool, error) {
	return c.con.IsMember(ctx, team, user)
}
func (c consoleTeams) TeamByName(context.Context, string) (support.Team, error) {
	return support.Team{}, support.ErrNotFound
}

// consoleApps is main's supportApps, cut down: the team's console apps,
// and an empty snapshot.
type consoleApps struct{ con *console.Service }

func (a consoleApps) TeamApps(ctx context.Context, teamID int64) ([]support.App, error) {
	u := forum.UserFromContext(ctx)
	apps, err := a.con.Apps(console.NewContext(ctx, console.Actor{UserID: u.ID, Name: u.Name, Email: u.Email}), teamID)
	if err != nil {
		return nil, err
	}
	out := make([]support.App, len(apps))
	for i, app := range apps {
		out[i] = support.App{ID: app.ID, Name: app.Name}
	}
	return out, nil
}

func (a consoleApps) Snapshot(_ context.Context, appID string, from, to time.Time) (support.Diagnostics, error) {
	return support.Diagnostics{AppID: appID, From: from, To: to}, nil
}

// TestConsoleLimitRequest: the limits form opens a ticket for the app's
// team with the limits asked for; developers and owners may, viewers may
// not, outsiders get 404.
func TestConsoleLimitRequest(t *testing.T) {
	ct := newConsoleServer(t)
	ct.withSupport(t)
	ct.s.registerConsoleAlertRoutes(ct.s.echo.Group("/:lang/console", validLang, ct.s.forumErrors, ct.s.consoleActor))
	ct.s.registerSupportRoutes()

	verified := func(email, name string) *browser {
		b := userWithRole(t, ct.s, ct.st, email, name, forum.RoleMember)
		u, err := ct.st.FindUserByUsername(context.Background(), strings.ToLower(name))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ct.st.IssueEmailVerification(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tok == "" {
			return b // created verified
		}
		if _, err := ct.st.VerifyEmail(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		return b
	}
	alice, vic, olga := verified("alice@example.com", "Alice"), verified("vic@example.com", "Vic"), verified("olga@example.com", "Olga")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Chat"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	joinTeam(t, alice, vic, team, "vic", "viewer")
	olga.get("/en/console")

	path := "/en/console/apps/" + id + "/limits"
	form := url.Values{"max_conns": {"50000"}, "reason": {"Launch on Friday"}}
	if !strings.Contains(alice.get("/en/console/apps/"+id).Body.String(), "data-limits-form") || strings.Contains(vic.get("/en/console/apps/"+id).Body.String(), "data-limits-form") {
		t.Fatal("the limits form: want it for the owner, not the viewer")
	}
	if w := alice.post(path, form, false); w.Code != http.StatusForbidden {
		t.Fatalf("without CSRF: %d, want 403", w.Code)
	}
	if w := vic.post(path, form, true); w.Code != http.StatusForbidden {
		t.Fatalf("viewer: %d, want 403", w.Code)
	}
	if w := olga.post(path, form, true); w.Code != http.StatusNotFound {
		t.Fatalf("outsider: %d, want 404", w.Code)
	}
	if w := alice.post(path, url.Values{"max_conns": {"-1"}, "reason": {"x"}}, true); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "data-form-error") {
		t.Fatalf("a negative limit: %d, want 400 with the form's error", w.Code)
	}
	if w := alice.post(path, url.Values{"max_conns": {"10"}}, true); w.Code != http.StatusBadRequest {
		t.Fatalf("no reason: %d, want 400", w.Code)
	}
	w := alice.post(path, form, true)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/en/support/tickets/") {
		i := strings.Index(w.Body.String(), "data-form-error")
		t.Fatalf("request: %d → %q %.300s", w.Code, w.Header().Get("Location"), w.Body.String()[max(i, 0):])
	}
	ticket := alice.get(w.Header().Get("Location"))
	wantStatus(t, ticket, http.StatusOK)
	body := ticket.Body.String()
	for _, want := range []string{"Raise the limits of Chat", id, "Connections: ", "50000 requested", "Launch on Friday"} {
		if !strings.Contains(body, want) {
			t.Errorf("the ticket lacks %q", want)
		}
	}
	if w := olga.get(w.Header().Get("Location")); w.Code != http.StatusNotFound {
		t.Errorf("an outsider reads the ticket: %d, want 404", w.Code)
	}
}

// withSupport gives the console test server a support desk whose teams
// and apps are the console's, as main wires it.
func (ct *consoleTest) withSupport(t *testing.T) *support.Service {
	t.Helper()
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := sla.DefaultSchedule(reg.Calendar("cn"))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := support.Open(context.Background(), support.Config{DB: ct.s.cfg.DB, Teams: consoleTeams{ct.con}, Apps: consoleApps{ct.con},
		Render: ct.st.RenderPreview, Schedule: func() *sla.Schedule { return sched }})
	if err != nil {
		t.Fatal(err)
	}
	ct.s.cfg.Support = desk
	return desk
}
