package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

func TestAdminEditsPlanTargets(t *testing.T) {
	var desk *support.Service
	s, st := newForumServer(t, withSupport(t, &desk))
	admin := userWithRole(t, s, st, "root@example.com", "Root", forum.RoleAdmin)
	staff := userWithRole(t, s, st, "eng@example.com", "Eng", forum.RoleStaff)
	form := url.Values{"priority": {"high"}, "first": {"120"}, "next": {"30"}, "basis": {"calendar"}}
	if w := staff.post("/en/admin/plans/standard/targets", form, true); w.Code != http.StatusForbidden {
		t.Errorf("staff edit targets: %d, want 403", w.Code)
	}
	if w := admin.post("/en/admin/plans/standard/targets", form, false); w.Code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", w.Code)
	}
	if w := admin.post("/en/admin/plans/standard/targets", form, true); w.Code != http.StatusSeeOther {
		t.Fatalf("admin edit targets: %d\n%.500s", w.Code, w.Body.String())
	}
	p, err := desk.Plan(context.Background(), support.PlanStandard)
	if err != nil {
		t.Fatal(err)
	}
	if want := (sla.Target{Duration: 2 * time.Hour, Basis: sla.CalendarTime}); p.Targets[support.High] != want || p.Next[support.High].Duration != 30*time.Minute {
		t.Fatalf("targets %v / %v", p.Targets[support.High], p.Next[support.High])
	}
	page := admin.get("/en/admin/plans").Body.String()
	if !strings.Contains(page, `data-plan-targets="standard"`) || !strings.Contains(page, "next: 30 m") {
		t.Errorf("the plans page lacks the targets form or the new next target")
	}
	if pub := newBrowser(t, s).get("/en/support").Body.String(); !strings.Contains(pub, "next responses: 30 m") {
		t.Error("the public plans table does not show a next-response target that differs from the first")
	}
	for _, bad := range []url.Values{
		{"priority": {"high"}, "first": {"soon"}, "next": {"30"}, "basis": {"business"}},
		{"priority": {"high"}, "first": {"-5"}, "next": {"30"}, "basis": {"business"}},
		{"priority": {"high"}, "first": {"60"}, "next": {"30"}, "basis": {"lunar"}},
	} {
		if w := admin.post("/en/admin/plans/standard/targets", bad, true); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "data-form-error") {
			t.Errorf("%v: %d, want 400 with the form's error", bad, w.Code)
		}
	}
}

// Admins define their own plans; the new plan starts from another's
// targets, shows on the plans page and the public plans table, and can be
// assigned to a team.
func TestAdminCreatesPlan(t *testing.T) {
	var desk *support.Service
	s, st := newForumServer(t, withSupport(t, &desk))
	admin := userWithRole(t, s, st, "root@example.com", "Root", forum.RoleAdmin)
	staff := userWithRole(t, s, st, "eng@example.com", "Eng", forum.RoleStaff)
	form := url.Values{"id": {"enterprise"}, "name_en": {"Enterprise"}, "name_zh": {"企业"}, "tickets": {"on"}, "urgent": {"on"}, "like": {"premium"}}
	if w := staff.post("/en/admin/plans", form, true); w.Code != http.StatusForbidden {
		t.Errorf("staff create plan: %d, want 403", w.Code)
	}
	if w := admin.post("/en/admin/plans", form, false); w.Code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", w.Code)
	}
	if _, err := desk.Plan(context.Background(), "enterprise"); err == nil {
		t.Fatal("a refused request created the plan")
	}
	w := admin.post("/en/admin/plans", form, true)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Plan Enterprise created") {
		t.Fatalf("admin create plan: %d\n%.500s", w.Code, w.Body.String())
	}
	p, err := desk.Plan(context.Background(), "enterprise")
	if err != nil {
		t.Fatal(err)
	}
	premium, err := desk.Plan(context.Background(), support.PlanPremium)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Tickets || !p.Urgent || p.Name("zh") != "企业" || p.Targets[support.Urgent] != premium.Targets[support.Urgent] || p.Targets[support.Normal] != premium.Targets[support.Normal] {
		t.Errorf("created plan %+v, want tickets, urgent and Premium's targets %+v", p, premium.Targets)
	}
	if page := admin.get("/en/admin/plans").Body.String(); !strings.Contains(page, `data-plan="enterprise"`) {
		t.Error("the plans page does not list the new plan")
	}
	if pub := newBrowser(t, s).get("/zh/support").Body.String(); !strings.Contains(pub, "企业") {
		t.Error("the public plans table does not show the new plan")
	}
	if w := admin.post("/en/admin/plans/assign", url.Values{"team": {"Eng"}, "plan": {"enterprise"}}, true); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "data-notice") {
		t.Errorf("assign the new plan: %d\n%.300s", w.Code, w.Body.String())
	}
	for _, c := range []struct {
		change url.Values
		want   string
	}{
		{url.Values{"id": {"enterprise"}}, "already exists"},
		{url.Values{"id": {"Big Plan"}}, "lower-case letters"},
		{url.Values{"id": {"9lives"}}, "lower-case letters"},
		{url.Values{"name_zh": {""}}, "in English and in Chinese"},
		{url.Values{"tickets": {""}}, "Urgent tickets need"},
		{url.Values{"like": {"gold"}}, "does not exist"},
	} {
		f := url.Values{"id": {"other"}, "name_en": {"Other"}, "name_zh": {"其他"}, "tickets": {"on"}, "urgent": {"on"}}
		for k, v := range c.change {
			f[k] = v
		}
		w := admin.post("/en/admin/plans", f, true)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%v: %d, want 400 saying %q\n%.300s", c.change, w.Code, c.want, w.Body.String())
		}
	}
	if _, err := desk.Plan(context.Background(), "other"); err == nil {
		t.Error("a refused plan was stored")
	}
}
