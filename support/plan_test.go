package support_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// TestAdminSetsTargets: an admin changes a plan's targets for a
// priority; new tickets get them, open ones keep theirs; no one else may.
func TestAdminSetsTargets(t *testing.T) {
	f := newFixture(t)
	u := f.customer("sam", support.PlanStandard)
	before := f.open(u, support.High, "")
	first, next := sla.BusinessHours(2), sla.Target{Duration: 30 * time.Minute, Basis: sla.CalendarTime}
	if err := f.desk.SetTargets(f.as(u), support.PlanStandard, support.High, first, next); !errors.Is(err, support.ErrForbidden) {
		t.Fatalf("a customer sets targets: %v, want forbidden", err)
	}
	staff := f.user("eng", forum.RoleStaff)
	if err := f.desk.SetTargets(f.as(staff), support.PlanStandard, support.High, first, next); !errors.Is(err, support.ErrForbidden) {
		t.Fatalf("staff set targets: %v, want forbidden (admins only)", err)
	}
	for _, bad := range []sla.Target{{Duration: -time.Hour, Basis: sla.BusinessTime}, {Duration: time.Hour, Basis: "lunar"}, {Duration: support.MaxTarget + time.Hour, Basis: sla.CalendarTime}} {
		if err := f.desk.SetTargets(f.as(f.admin), support.PlanStandard, support.High, bad, next); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("target %+v: %v, want invalid", bad, err)
		}
	}
	if err := f.desk.SetTargets(f.as(f.admin), "gold", support.High, first, next); !errors.Is(err, support.ErrNotFound) {
		t.Errorf("unknown plan: %v", err)
	}
	if err := f.desk.SetTargets(f.as(f.admin), support.PlanStandard, support.High, first, next); err != nil {
		t.Fatal(err)
	}
	p, err := f.desk.Plan(f.ctx, support.PlanStandard)
	if err != nil {
		t.Fatal(err)
	}
	if p.Targets[support.High] != first || p.Next[support.High] != next {
		t.Fatalf("plan targets %v / %v, want %v / %v", p.Targets[support.High], p.Next[support.High], first, next)
	}
	after := f.open(u, support.High, "")
	if after.Target != first || after.NextTarget != next {
		t.Errorf("a new ticket has %v / %v, want the new targets", after.Target, after.NextTarget)
	}
	if old, _, _ := f.desk.Ticket(f.as(u), before.ID); old.Target == first {
		t.Error("an open ticket took the new target")
	}
}
