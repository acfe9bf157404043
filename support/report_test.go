package support_test

import (
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

func TestReport(t *testing.T) {
	f := newFixture(t)
	prem := f.customer("prem", support.PlanPremium)
	std := f.customer("std", support.PlanStandard)
	staff := f.user("eng", forum.RoleStaff)
	f.clock.Set(sh(3, 2, 10, 0))
	a := f.open(prem, support.Normal, "")
	b := f.open(prem, support.Normal, "")
	c := f.open(std, support.Normal, "")
	f.open(prem, support.Urgent, "payments down")
	f.clock.Set(sh(3, 2, 12, 0))
	if _, err := f.desk.Reply(f.as(staff), a.ID, "On it."); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(sh(3, 3, 12, 0)) // Standard's day passed at 10:00
	if _, err := f.desk.Reply(f.as(staff), c.ID, "Sorry for the wait."); err != nil {
		t.Fatal(err)
	}
	_ = b
	rep, err := f.desk.Report(f.ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	row := func(plan string, p support.Priority) support.ReportRow {
		for _, r := range rep.Rows {
			if r.Plan == plan && r.Priority == p {
				return r
			}
		}
		t.Fatalf("no row %s/%s", plan, p)
		return support.ReportRow{}
	}
	pn := row(support.PlanPremium, support.Normal)
	if pn.Tickets != 2 || pn.Answered != 1 || pn.Met != 1 || pn.WaitingBreached != 1 || pn.MetPct != 50 {
		t.Errorf("premium/normal %+v", pn.Figures)
	}
	if pn.Median != 2*time.Hour || pn.P90Reached {
		t.Errorf("premium/normal median %v (p90 reached %v), want 2h and a p90 beyond every answer", pn.Median, pn.P90Reached)
	}
	if pn.OldestWait != 26*time.Hour {
		t.Errorf("oldest wait %v, want 26h", pn.OldestWait)
	}
	sn := row(support.PlanStandard, support.Normal)
	if sn.Tickets != 1 || sn.MetLate != 1 || sn.MetPct != 0 || sn.Median != 8*time.Hour+30*time.Minute+2*time.Hour {
		t.Errorf("standard/normal %+v", sn.Figures)
	}
	pu := row(support.PlanPremium, support.Urgent)
	if pu.Waiting != 1 || pu.WaitingBreached != 1 {
		t.Errorf("premium/urgent %+v", pu.Figures)
	}
	if w := pn.Weekly[len(pn.Weekly)-1]; w.Tickets != 2 || !w.Start.Equal(sh(3, 2, 0, 0)) {
		t.Errorf("this week %+v", w)
	}
	for _, r := range rep.Rows {
		if r.Plan == support.PlanCommunity {
			t.Error("Community has no tickets, so no row")
		}
	}
}
