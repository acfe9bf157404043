package support_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// TestClockAcrossPlansAndPriorities: the first-response due time of each
// seeded plan and priority, on the default schedule (Mon–Fri 09:00–17:30
// Shanghai, 8 h 30 m a business day), urgent on Premium around the clock.
func TestClockAcrossPlansAndPriorities(t *testing.T) {
	cases := []struct {
		plan     string
		priority support.Priority
		opened   time.Time
		due      time.Time
	}{
		{support.PlanStandard, support.Normal, sh(3, 2, 10, 0), sh(3, 3, 10, 0)}, // one business day
		{support.PlanStandard, support.Low, sh(3, 2, 10, 0), sh(3, 4, 10, 0)},    // two
		{support.PlanStandard, support.Normal, sh(3, 6, 16, 0), sh(3, 9, 16, 0)}, // Friday → Monday
		{support.PlanPremium, support.Normal, sh(3, 2, 10, 0), sh(3, 2, 14, 0)},  // 4 business hours
		{support.PlanPremium, support.High, sh(3, 2, 16, 30), sh(3, 3, 12, 0)},   // 1 h today, 3 h tomorrow
		{support.PlanPremium, support.Urgent, sh(3, 7, 3, 0), sh(3, 7, 4, 0)},    // Saturday 03:00: 24/7
		{support.PlanPremium, support.Urgent, sh(3, 2, 23, 30), sh(3, 3, 0, 30)}, // across midnight
		{support.PlanPremium, support.Normal, sh(3, 7, 3, 0), sh(3, 9, 13, 0)},   // weekend waits for Monday
	}
	for _, c := range cases {
		t.Run(c.plan+"/"+string(c.priority)+"/"+c.opened.Format("Mon 15:04"), func(t *testing.T) {
			f := newFixture(t)
			f.clock.Set(c.opened)
			u := f.customer("cust", c.plan)
			tk := f.open(u, c.priority, "checkout is down for all users")
			if !tk.Clock.Due.Equal(c.due) {
				t.Errorf("due %v, want %v", tk.Clock.Due.In(shanghai), c.due)
			}
			f.clock.Set(c.due.Add(-time.Minute))
			got, _, err := f.desk.Ticket(f.as(u), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.Clock.State; s == sla.Breached {
				t.Errorf("a minute before due: %s", s)
			}
			f.clock.Set(c.due)
			got, _, _ = f.desk.Ticket(f.as(u), tk.ID)
			if got.Clock.State != sla.Breached {
				t.Errorf("at due: %s, want breached", got.Clock.State)
			}
		})
	}
}

func TestUrgentNeedsAPlanThatAllowsItAndAnImpact(t *testing.T) {
	f := newFixture(t)
	std := f.customer("std", support.PlanStandard)
	_, err := f.desk.Open(f.as(std), support.NewTicket{TeamID: std.ID, Subject: "Everything is down", Body: "help", Priority: support.Urgent, Impact: "all users"})
	if !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("urgent on Standard: %v, want ErrInvalid", err)
	}
	pre := f.customer("pre", support.PlanPremium)
	for _, impact := range []string{"", "two\nlines"} {
		_, err := f.desk.Open(f.as(pre), support.NewTicket{TeamID: pre.ID, Subject: "Everything is down", Body: "help", Priority: support.Urgent, Impact: impact})
		var e *support.Error
		if !errors.As(err, &e) || e.Field != "impact" {
			t.Errorf("impact %q: %v, want an impact error", impact, err)
		}
	}
	comm := f.customer("comm", support.PlanCommunity)
	if _, err := f.desk.Open(f.as(comm), support.NewTicket{TeamID: comm.ID, Subject: "Can I get help", Body: "?"}); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("Community opens a ticket: %v, want ErrForbidden", err)
	}
	t.Run("pre-sales needs no plan and has its own target", func(t *testing.T) {
		f.clock.Set(sh(3, 2, 10, 0))
		tk, err := f.desk.Open(f.as(comm), support.NewTicket{TeamID: comm.ID, Kind: support.KindPresales, Subject: "Is 1M connections feasible?", Body: "Which limits do we need?", Priority: support.Urgent})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority != support.Normal || !tk.Clock.Due.Equal(sh(3, 3, 10, 0)) {
			t.Errorf("presales: priority %s due %v, want normal and one business day", tk.Priority, tk.Clock.Due.In(shanghai))
		}
	})
}

// TestEscalation: once per ticket, one level up, the new priority's target
// from the ticket's opening.
func TestEscalation(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(sh(3, 2, 10, 0))
	u := f.customer("pat", support.PlanPremium)
	tk := f.open(u, support.High, "")
	f.clock.Set(sh(3, 2, 11, 30))
	esc, err := f.desk.Escalate(f.as(u), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if esc.Priority != support.Urgent || esc.Target != sla.CalendarHours(1) {
		t.Fatalf("escalated: %s %v", esc.Priority, esc.Target)
	}
	if !esc.Clock.Due.Equal(sh(3, 2, 11, 0)) || esc.Clock.State != sla.Breached {
		t.Errorf("due %v state %s: the urgent hour counts from 10:00, so it is breached at 11:30", esc.Clock.Due.In(shanghai), esc.Clock.State)
	}
	if _, err := f.desk.Escalate(f.as(u), tk.ID); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("second escalation: %v, want ErrForbidden", err)
	}
	std := f.customer("sam", support.PlanStandard)
	st := f.open(std, support.High, "")
	if _, err := f.desk.Escalate(f.as(std), st.ID); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("escalating to urgent on Standard: %v, want ErrForbidden", err)
	}
	staff := f.user("eng", forum.RoleStaff)
	if _, err := f.desk.Escalate(f.as(staff), st.ID); !errors.Is(err, support.ErrForbidden) {
		t.Errorf("staff use the customer's escalation: %v", err)
	}
	if err := f.desk.SecondLine(f.as(staff), st.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := f.desk.Ticket(f.as(staff), st.ID); got.Line != 2 {
		t.Errorf("line %d, want 2", got.Line)
	}
}

// TestLifecycle: staff reply = first response; waiting pauses the clock;
// solved reopens within 7 days, later a follow-up; notes stay internal.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(sh(3, 2, 10, 0))
	u := f.customer("lee", support.PlanPremium)
	staff := f.user("eng", forum.RoleStaff)
	tk := f.open(u, support.Normal, "")
	f.clock.Set(sh(3, 2, 10, 30))
	if err := f.desk.Note(f.as(staff), tk.ID, "Looks like their region; checking logs."); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := f.desk.Ticket(f.as(u), tk.ID); !got.RespondedAt.IsZero() {
		t.Fatal("a staff note counted as the first response")
	}
	f.clock.Set(sh(3, 2, 12, 10))
	r, err := f.desk.Reply(f.as(staff), tk.ID, "Which app ID?")
	if err != nil {
		t.Fatal(err)
	}
	if r.Clock.State != sla.Met || r.Clock.Business != 2*time.Hour+10*time.Minute || r.State != support.StateOpen {
		t.Errorf("after staff reply: %s %v %s, want met after 2h10m, open", r.Clock.State, r.Clock.Business, r.State)
	}
	_, msgs, _ := f.desk.Ticket(f.as(u), tk.ID)
	for _, m := range msgs {
		if m.Note {
			t.Error("the customer sees a staff note")
		}
	}
	if _, msgs, _ := f.desk.Ticket(f.as(staff), tk.ID); len(msgs) != 3 {
		t.Errorf("staff see %d messages, want 3 (question, note, reply)", len(msgs))
	}

	t.Run("waiting pauses the clock of a new ticket", func(t *testing.T) {
		f.clock.Set(sh(3, 2, 10, 0))
		w := f.open(u, support.Normal, "")
		f.clock.Set(sh(3, 2, 11, 0))
		if err := f.desk.Wait(f.as(staff), w.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(sh(3, 2, 15, 0))
		if _, err := f.desk.Reply(f.as(u), w.ID, "Here are the logs."); err != nil {
			t.Fatal(err)
		}
		got, _, _ := f.desk.Ticket(f.as(u), w.ID)
		if got.Clock.Used != time.Hour || !got.Clock.Due.Equal(sh(3, 3, 9, 30)) {
			t.Errorf("used %v due %v, want 1h used (the wait does not count), due 09:30 the next morning", got.Clock.Used, got.Clock.Due.In(shanghai))
		}
	})

	if err := f.desk.Solve(f.as(u), tk.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(sh(3, 8, 12, 0)) // 6 days later
	again, err := f.desk.Reply(f.as(u), tk.ID, "It came back.")
	if err != nil || again.ID != tk.ID || again.State != support.StateOpen {
		t.Fatalf("reply within 7 days: %+v %v, want the same ticket reopened", again, err)
	}
	if err := f.desk.Solve(f.as(staff), tk.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(sh(3, 16, 12, 0)) // 8 days after solving
	fu, err := f.desk.Reply(f.as(u), tk.ID, "And again, a week later.")
	if err != nil {
		t.Fatal(err)
	}
	if fu.ID == tk.ID || fu.FollowUpOf != tk.ID || fu.State != support.StateNew || fu.TeamID != u.ID {
		t.Fatalf("reply after 7 days: %+v, want a new follow-up of #%d", fu, tk.ID)
	}
	if old, _, _ := f.desk.Ticket(f.as(u), tk.ID); old.State != support.StateSolved {
		t.Errorf("the old ticket is %s, want still solved", old.State)
	}
}
