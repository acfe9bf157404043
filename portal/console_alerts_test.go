package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/usage"
)

// fixedUsage is a usage window with a given connection count, so that a
// rule's state can be set from the test; the evaluation and the stored
// history are the real ones.
type fixedUsage struct{ conns atomic.Int64 }

func (f *fixedUsage) Summary(context.Context, string, time.Time, time.Time) (usage.Period, int, error) {
	return usage.Period{Conns: f.conns.Load()}, 1, nil
}

// joinTeam invites who (signed up as username) to the team with role and
// accepts.
func joinTeam(t *testing.T, owner, who *browser, team, username, role string) {
	t.Helper()
	if w := owner.post("/en/console/teams/"+team+"/invites", url.Values{"who": {"@" + username}, "role": {role}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("invite %s: %d", username, w.Code)
	}
	inv := regexp.MustCompile(`data-invite="(\d+)"`).FindStringSubmatch(who.get("/en/console").Body.String())
	if inv == nil {
		t.Fatalf("%s sees no invitation", username)
	}
	if w := who.post("/en/console/invites/"+inv[1], url.Values{"accept": {"1"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d", w.Code)
	}
}

func TestConsoleAlerts(t *testing.T) {
	ct := newConsoleServer(t)
	src := &fixedUsage{}
	al, err := alerts.New(context.Background(), alerts.Config{DB: ct.s.cfg.DB, Usage: src})
	if err != nil {
		t.Fatal(err)
	}
	ct.s.cfg.Alerts = al
	ct.s.registerConsoleAlertRoutes(ct.s.echo.Group("/:lang/console", validLang, ct.s.forumErrors, ct.s.consoleActor))

	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Chat"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	rules := "/en/console/apps/" + id + "/alerts"

	rule := url.Values{"metric": {"connections"}, "threshold": {"2"}, "window": {"1"}}
	if w := alice.post(rules, rule, false); w.Code != http.StatusForbidden {
		t.Fatalf("add a rule without CSRF token: %d, want 403", w.Code)
	}
	if w := alice.post(rules, url.Values{"metric": {"connections"}, "threshold": {"x"}, "window": {"1"}}, true); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "data-form-error") {
		t.Fatalf("a rule with a bad threshold: %d, want 400 with the form's error", w.Code)
	}
	if w := alice.post(rules, url.Values{"metric": {"p99_ms"}, "threshold": {"5"}, "window": {"61"}}, true); w.Code != http.StatusBadRequest {
		t.Fatalf("a 61-minute window: %d, want 400", w.Code)
	}
	if w := alice.post(rules, rule, true); w.Code != http.StatusSeeOther {
		t.Fatalf("owner adds a rule: %d", w.Code)
	}
	ruleID := regexp.MustCompile(`data-alert-rule="(\d+)"`).FindStringSubmatch(alice.get("/en/console/apps/" + id).Body.String())
	if ruleID == nil {
		t.Fatal("the app page does not list the rule")
	}

	// role × action: developers manage rules, viewers read them, outsiders
	// and staff get nothing they could change (outsiders: 404).
	dev, viewerB, outsider := newBrowser(t, ct.s), newBrowser(t, ct.s), newBrowser(t, ct.s)
	dev.ip, viewerB.ip, outsider.ip = "192.0.2.10:1", "192.0.2.11:1", "192.0.2.12:1"
	dev.signup("dev@example.com", "Dev")
	viewerB.signup("vic@example.com", "Vic")
	outsider.signup("olga@example.com", "Olga")
	joinTeam(t, alice, dev, team, "dev", "developer")
	joinTeam(t, alice, viewerB, team, "vic", "viewer")
	for _, c := range []struct {
		who        string
		b          *browser
		add, read  int
		seesRule   bool
		seesForm   bool
		deleteCode int
	}{
		{"developer", dev, http.StatusSeeOther, http.StatusOK, true, true, 0},
		{"viewer", viewerB, http.StatusForbidden, http.StatusOK, true, false, http.StatusForbidden},
		{"outsider", outsider, http.StatusNotFound, http.StatusNotFound, false, false, http.StatusNotFound},
	} {
		if w := c.b.post(rules, url.Values{"metric": {"delivery_rate"}, "threshold": {"99"}, "window": {"5"}}, true); w.Code != c.add {
			t.Errorf("%s adds a rule: %d, want %d", c.who, w.Code, c.add)
		}
		page := c.b.get("/en/console/apps/" + id)
		if page.Code != c.read {
			t.Errorf("%s reads the app: %d, want %d", c.who, page.Code, c.read)
		}
		body := page.Body.String()
		if strings.Contains(body, `data-alert-rule="`+ruleID[1]+`"`) != c.seesRule || strings.Contains(body, "data-alert-form") != c.seesForm {
			t.Errorf("%s: sees rule %v, form %v; want %v, %v", c.who, !c.seesRule, !c.seesForm, c.seesRule, c.seesForm)
		}
		if c.deleteCode != 0 {
			if w := c.b.post(rules+"/"+ruleID[1]+"/delete", nil, true); w.Code != c.deleteCode {
				t.Errorf("%s deletes a rule: %d, want %d", c.who, w.Code, c.deleteCode)
			}
		}
	}
	staff := userWithRole(t, ct.s, ct.st, "staff@example.com", "Sam Staff", forum.RoleStaff)
	if w := staff.post(rules, rule, true); w.Code != http.StatusForbidden {
		t.Errorf("staff adds a rule: %d, want 403", w.Code)
	}

	// The rule fires and resolves; history shows on the app page and in
	// the members' notifications, never an outsider's.
	src.conns.Store(3)
	if err := al.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(viewerB.get("/en/console/apps/"+id).Body.String(), `data-alert-state="firing"`) {
		t.Fatal("the rule does not show as firing")
	}
	src.conns.Store(0)
	if err := al.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := alice.get("/en/console/apps/" + id).Body.String()
	if strings.Count(page, `data-alert-event="fired"`) != 1 || strings.Count(page, `data-alert-event="resolved"`) != 1 {
		t.Fatal("the history does not show one firing and one resolution")
	}
	if n := viewerB.get("/en/notifications").Body.String(); strings.Count(n, "data-alert-notification=") != 2 ||
		!strings.Contains(n, "Connections above 2 over 1 min") {
		t.Fatal("the viewer's notifications do not list the alert's two events")
	}
	if n := outsider.get("/en/notifications").Body.String(); strings.Contains(n, "data-alert-notification") {
		t.Fatal("an outsider's notifications list the team's alert")
	}
	if zh := alice.get("/zh/console/apps/" + id).Body.String(); !strings.Contains(zh, "1 分钟内连接数高于 2") {
		t.Fatal("zh app page: the rule is not in Chinese")
	}
	if w := dev.post(rules+"/"+ruleID[1]+"/delete", nil, true); w.Code != http.StatusSeeOther {
		t.Fatalf("developer deletes the rule: %d", w.Code)
	}
	if w := dev.post(rules+"/"+ruleID[1]+"/delete", nil, true); w.Code != http.StatusNotFound {
		t.Fatalf("deleting it again: %d, want 404", w.Code)
	}
}
