package support_test

import (
	"errors"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

func TestEventSupport(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(sh(3, 6, 12, 0)) // Friday noon
	prem := f.customer("launch", support.PlanPremium)
	launch := support.NewEvent{TeamID: prem.ID, Name: "Spring sale live stream", Start: sh(3, 7, 19, 0), End: sh(3, 7, 23, 0), PeakConns: 200000, PeakMsgs: 50000}
	ev, err := f.desk.RegisterEvent(f.as(prem), launch)
	if err != nil {
		t.Fatal(err)
	}
	std := f.customer("std", support.PlanStandard)
	if _, err := f.desk.RegisterEvent(f.as(std), support.NewEvent{TeamID: std.ID, Name: "x", Start: launch.Start, End: launch.End}); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("Standard registers an event: %v, want ErrForbidden", err)
	}
	if _, err := f.desk.RegisterEvent(f.as(std), launch); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("another team registers the event: %v, want ErrForbidden", err)
	}
	bad := launch
	bad.End = bad.Start
	if _, err := f.desk.RegisterEvent(f.as(prem), bad); !errors.Is(err, support.ErrInvalid) {
		t.Errorf("empty window: %v", err)
	}
	staff := f.user("eng", forum.RoleStaff)
	if evs, err := f.desk.Events(f.as(staff)); err != nil || len(evs) != 1 || evs[0].ID != ev.ID || evs[0].PeakConns != 200000 {
		t.Errorf("staff calendar %+v %v", evs, err)
	}
	if evs, _ := f.desk.Events(f.as(std)); len(evs) != 0 {
		t.Errorf("another team sees %d events", len(evs))
	}

	before := f.open(prem, support.Urgent, "the stream's chat is down")
	if !before.Clock.Due.Equal(sh(3, 6, 13, 0)) {
		t.Errorf("before the event: due %v, want the plan's hour", before.Clock.Due.In(shanghai))
	}
	f.clock.Set(sh(3, 7, 20, 0)) // Saturday evening, during the event
	during := f.open(prem, support.Urgent, "the stream's chat is down")
	if !during.Clock.Due.Equal(sh(3, 7, 20, 15)) {
		t.Errorf("during the event: due %v, want 15 minutes later, on a Saturday night", during.Clock.Due.In(shanghai))
	}
	normal := f.open(prem, support.Normal, "")
	if normal.Target == support.EventTarget {
		t.Error("the event target applies to a normal ticket")
	}
	f.clock.Set(sh(3, 8, 1, 0)) // after the event
	after := f.open(prem, support.Urgent, "late issue")
	if !after.Clock.Due.Equal(sh(3, 8, 2, 0)) {
		t.Errorf("after the event: due %v, want the plan's hour", after.Clock.Due.In(shanghai))
	}
}
