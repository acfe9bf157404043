package support_test

import (
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// TestNextResponse: after the first response, the customer's oldest
// unanswered message starts the next-response clock; a wait on the
// customer pauses it; staff's reply stops it; an escalation applies the
// new priority's next target from that message; a reopening starts one.
func TestNextResponse(t *testing.T) {
	f := newFixture(t)
	u := f.customer("ned", support.PlanPremium)
	staff := f.user("eng", forum.RoleStaff)
	reply := func(who *forum.User, id int64, at time.Time, body string) *support.Ticket {
		t.Helper()
		f.clock.Set(at)
		tk, err := f.desk.Reply(f.as(who), id, body)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	f.clock.Set(sh(3, 2, 10, 0)) // Monday
	tk := f.open(u, support.Normal, "")
	if got := tk.Awaiting(); got != "first" {
		t.Fatalf("a new ticket awaits %q, want first", got)
	}
	if got := reply(staff, tk.ID, sh(3, 2, 10, 30), "On it."); got.Awaiting() != "" || got.Due() != (time.Time{}) {
		t.Fatalf("after the first response: awaiting %q due %v, want nothing", got.Awaiting(), got.Due())
	}
	got := reply(u, tk.ID, sh(3, 2, 16, 0), "Still failing.")
	if got.Awaiting() != "next" || !got.NextClock.Due.Equal(sh(3, 3, 11, 30)) || got.NextTarget != got.Target {
		t.Fatalf("after the customer's message: awaiting %q, next due %v (target %v), want next, Tue 11:30 (4 business hours)",
			got.Awaiting(), got.NextClock.Due.In(shanghai), got.NextTarget)
	}
	if again := reply(u, tk.ID, sh(3, 2, 16, 30), "Any news?"); !again.AwaitingSince.Equal(sh(3, 2, 16, 0)) {
		t.Errorf("a second message moved the clock's start to %v; the oldest unanswered one counts", again.AwaitingSince.In(shanghai))
	}
	f.clock.Set(sh(3, 2, 17, 0))
	if err := f.desk.Wait(f.as(staff), tk.ID); err != nil {
		t.Fatal(err)
	}
	if w, _, _ := f.desk.Ticket(f.as(staff), tk.ID); !w.NextClock.Paused || !w.Due().IsZero() {
		t.Errorf("waiting on the customer: paused %v due %v, want paused without a due time", w.NextClock.Paused, w.Due())
	}
	got = reply(u, tk.ID, sh(3, 3, 10, 0), "Here are the logs.")
	if !got.NextClock.Due.Equal(sh(3, 3, 13, 0)) {
		t.Errorf("after the wait: next due %v, want Tue 13:00 (the wait does not count)", got.NextClock.Due.In(shanghai))
	}
	got = reply(staff, tk.ID, sh(3, 3, 11, 0), "Fixed on our side.")
	if got.Awaiting() != "" || !got.AwaitingSince.IsZero() {
		t.Errorf("after staff's next response: awaiting %q", got.Awaiting())
	}

	t.Run("escalation applies the new priority's next target", func(t *testing.T) {
		f.clock.Set(sh(3, 2, 10, 0))
		low := f.open(u, support.Low, "")
		reply(staff, low.ID, sh(3, 2, 10, 30), "Noted.")
		got := reply(u, low.ID, sh(3, 2, 16, 0), "This is hurting us now.")
		if !got.NextClock.Due.Equal(sh(3, 3, 16, 0)) {
			t.Fatalf("low: next due %v, want Tue 16:00 (one business day)", got.NextClock.Due.In(shanghai))
		}
		esc, err := f.desk.Escalate(f.as(u), low.ID)
		if err != nil {
			t.Fatal(err)
		}
		if esc.Priority != support.Normal || !esc.NextClock.Due.Equal(sh(3, 3, 11, 30)) {
			t.Errorf("escalated: %s, next due %v, want normal due Tue 11:30 (4 business hours from the message)", esc.Priority, esc.NextClock.Due.In(shanghai))
		}
	})

	t.Run("urgent next response runs around the clock", func(t *testing.T) {
		f.clock.Set(sh(3, 7, 22, 0)) // Saturday night
		urg := f.open(u, support.Urgent, "all publishes fail")
		reply(staff, urg.ID, sh(3, 7, 22, 20), "Looking.")
		got := reply(u, urg.ID, sh(3, 7, 23, 0), "Now the fallback region too.")
		if got.NextTarget != sla.CalendarHours(1) || !got.NextClock.Due.Equal(sh(3, 8, 0, 0)) {
			t.Errorf("urgent: next target %v due %v, want 1 h around the clock, Sunday 00:00", got.NextTarget, got.NextClock.Due.In(shanghai))
		}
	})

	t.Run("a reopening awaits a next response", func(t *testing.T) {
		f.clock.Set(sh(3, 9, 12, 0))
		if err := f.desk.Solve(f.as(staff), tk.ID); err != nil {
			t.Fatal(err)
		}
		got := reply(u, tk.ID, sh(3, 10, 10, 0), "It is back.")
		if got.ID != tk.ID || got.State != support.StateOpen || got.Awaiting() != "next" || !got.NextClock.Due.Equal(sh(3, 10, 14, 0)) {
			t.Errorf("reopened: #%d %s awaiting %q due %v, want #%d open, next due 14:00", got.ID, got.State, got.Awaiting(), got.NextClock.Due.In(shanghai), tk.ID)
		}
	})

	t.Run("the queue sorts on the awaited clock", func(t *testing.T) {
		q, err := f.desk.Queue(f.as(staff), "")
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(q); i++ {
			a, b := q[i-1].Due(), q[i].Due()
			if !a.IsZero() && !b.IsZero() && b.Before(a) || a.IsZero() && !b.IsZero() {
				t.Fatalf("queue out of order at %d: %v then %v", i, a, b)
			}
		}
	})
}
