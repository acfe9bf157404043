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
