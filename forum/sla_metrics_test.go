package forum

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// slaFixture is a forum with the SLA service on a 24/7 schedule (so that
// business time equals calendar time less pauses and the expectations stay
// readable), first-response target 2 h and next-response target 1 h in
// Getting started.
type slaFixture struct {
	*fixture
	x             *SLA
	admin, staff  *User
	asker, member *User
	staffAsker    *User
}

func newSLAFixture(t *testing.T) *slaFixture {
	t.Helper()
	f := newFixture(t)
	x, err := NewSLA(f.ctx, f.s, SLAConfig{Schedule: sla.TwentyFourSeven()})
	if err != nil {
		t.Fatal(err)
	}
	sf := &slaFixture{fixture: f, x: x,
		admin: f.user("admin", RoleAdmin), staff: f.user("eng", RoleStaff),
		asker: f.user("asker", RoleMember), member: f.user("helper", RoleMember), staffAsker: f.user("staff asker", RoleStaff)}
	f.age()
	sf.policy(CategoryGettingStarted, sla.CalendarHours(2), sla.CalendarHours(1))
	return sf
}

func (f *slaFixture) policy(cat string, first, next sla.Target) {
	f.t.Helper()
	for _, p := range sla.Priorities {
		if err := f.x.SetPolicy(f.as(f.admin), sla.Policy{Category: cat, Priority: p, FirstResponse: first, NextResponse: next, MembersMayChoose: p != sla.Urgent}); err != nil {
			f.t.Fatal(err)
		}
	}
}

// ask creates a topic and returns it without moving the clock.
func (f *slaFixture) ask(u *User) *Topic {
	f.t.Helper()
	tp, err := f.s.CreateTopic(f.as(u), NewTopic{CategoryID: f.cats[CategoryGettingStarted].ID, Title: "How do I connect?", Body: "Details", Lang: LangEN})
	if err != nil {
		f.t.Fatal(err)
	}
	return tp
}

func (f *slaFixture) replyAt(u *User, topicID int64, after time.Duration) *Post {
	f.t.Helper()
	f.clock.Advance(after)
	p, err := f.s.Reply(f.as(u), topicID, "reply body")
	if err != nil {
		f.t.Fatalf("reply: %v", err)
	}
	return p
}

func (f *slaFixture) metrics(topicID int64) *TopicSLA {
	f.t.Helper()
	m, err := f.x.TopicSLA(f.ctx, topicID)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func TestSLAFirstResponse(t *testing.T) {
	tests := []struct {
		name string
		// run plays the scenario on a topic created at the clock's time.
		run          func(f *slaFixture, tp *Topic)
		wantAnswered bool
		wantBusiness time.Duration
		wantCalendar time.Duration
		wantState    sla.State
	}{
		{"staff reply counts", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 30*time.Minute)
		}, true, 30 * time.Minute, 30 * time.Minute, sla.Met},
		{"member reply does not count", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.member, tp.ID, 10*time.Minute)
		}, false, 10 * time.Minute, 10 * time.Minute, sla.OnTrack}, // waiting: counted so far
		{"role at the time of the reply: promoted after replying", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.member, tp.ID, 20*time.Minute)
			if _, err := f.s.SetRole(f.as(f.admin), f.member.ID, RoleStaff); err != nil {
				f.t.Fatal(err)
			}
			f.replyAt(f.member, tp.ID, 40*time.Minute) // now staff: this one counts
		}, true, time.Hour, time.Hour, sla.Met},
		{"role at the time of the reply: demoted later", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 25*time.Minute)
			if _, err := f.s.SetRole(f.as(f.admin), f.staff.ID, RoleMember); err != nil {
				f.t.Fatal(err)
			}
			f.replyAt(f.asker, tp.ID, time.Minute) // any later event re-measures
		}, true, 25 * time.Minute, 25 * time.Minute, sla.Met},
		{"deleted staff reply does not count", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 15*time.Minute)
			f.clock.Advance(time.Minute)
			if err := f.s.DeletePost(f.as(f.staff), p.ID); err != nil {
				f.t.Fatal(err)
			}
			f.replyAt(f.staff, tp.ID, 44*time.Minute)
		}, true, time.Hour, time.Hour, sla.Met},
		{"an edit is not a response", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 30*time.Minute)
			f.clock.Advance(50 * time.Minute)
			if _, err := f.s.EditPost(f.as(f.staff), p.ID, "edited body"); err != nil {
				f.t.Fatal(err)
			}
		}, true, 30 * time.Minute, 30 * time.Minute, sla.Met},
		{"pause until the asker replies", func(f *slaFixture, tp *Topic) {
			f.clock.Advance(30 * time.Minute)
			if err := f.s.SetWaitingOnAsker(f.as(f.staff), tp.ID, true); err != nil {
				f.t.Fatal(err)
			}
			f.replyAt(f.asker, tp.ID, 5*time.Hour) // clears the pause
			f.replyAt(f.staff, tp.ID, 30*time.Minute)
		}, true, time.Hour, time.Hour, sla.Met},
		{"met late", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 2*time.Hour+time.Minute)
		}, true, 2*time.Hour + time.Minute, 2*time.Hour + time.Minute, sla.MetLate},
		{"breached while waiting", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.member, tp.ID, 3*time.Hour)
		}, false, 3 * time.Hour, 3 * time.Hour, sla.Breached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSLAFixture(t)
			tp := f.ask(f.asker)
			tt.run(f, tp)
			m := f.metrics(tp.ID)
			if m.First.Answered() != tt.wantAnswered {
				t.Fatalf("answered = %v, want %v (%+v)", m.First.Answered(), tt.wantAnswered, m.First)
			}
			if m.First.Status.Business != tt.wantBusiness || m.First.Status.Calendar != tt.wantCalendar {
				t.Errorf("business, calendar = %v, %v; want %v, %v", m.First.Status.Business, m.First.Status.Calendar, tt.wantBusiness, tt.wantCalendar)
			}
			if got := m.First.StateAt(f.clock.Now()); got != tt.wantState {
				t.Errorf("state = %s, want %s", got, tt.wantState)
			}
			if wantAwaiting := !tt.wantAnswered; (m.Awaiting == AwaitingFirst) != wantAwaiting {
				t.Errorf("awaiting = %v, want first: %v", m.Awaiting, wantAwaiting)
			}
			if m.FirstTarget != sla.CalendarHours(2) {
				t.Errorf("target = %+v, want 2 h calendar", m.FirstTarget)
			}
		})
	}
}

func TestSLAAskerIsStaff(t *testing.T) {
	f := newSLAFixture(t)
	tp := f.ask(f.staffAsker)
	f.replyAt(f.staffAsker, tp.ID, 10*time.Minute) // their own reply never counts
	m := f.metrics(tp.ID)
	if m.First.Answered() || m.Awaiting != AwaitingFirst {
		t.Fatalf("staff asker's own reply counted: %+v", m.First)
	}
	f.replyAt(f.staff, tp.ID, 20*time.Minute)
	if m = f.metrics(tp.ID); m.First.Status.Business != 30*time.Minute || m.Awaiting != AwaitingNone {
		t.Errorf("first = %v awaiting %v, want 30m from another staff member, nothing awaited", m.First.Status.Business, m.Awaiting)
	}
}

func TestSLANextResponse(t *testing.T) {
	f := newSLAFixture(t)
	tp := f.ask(f.asker)
	f.replyAt(f.staff, tp.ID, 10*time.Minute)
	m := f.metrics(tp.ID)
	if m.Next.Started() || m.Awaiting != AwaitingNone {
		t.Fatalf("next clock started before any follow-up: %+v", m.Next)
	}
	followUp := f.replyAt(f.asker, tp.ID, time.Hour)
	f.replyAt(f.asker, tp.ID, 10*time.Minute) // the oldest unanswered follow-up starts the clock
	f.replyAt(f.member, tp.ID, 5*time.Minute) // not official
	m = f.metrics(tp.ID)
	if m.Awaiting != AwaitingNext || !m.Next.Start.Equal(followUp.CreatedAt) {
		t.Fatalf("awaiting %v from %v, want next from %v", m.Awaiting, m.Next.Start, followUp.CreatedAt)
	}
	if m.Next.Status.Due.Sub(followUp.CreatedAt) != time.Hour {
		t.Errorf("next due %v after the follow-up, want 1h", m.Next.Status.Due.Sub(followUp.CreatedAt))
	}
	f.replyAt(f.staff, tp.ID, 25*time.Minute)
	m = f.metrics(tp.ID)
	if m.Awaiting != AwaitingNone || m.Next.Status.Business != 40*time.Minute || m.Next.Status.State != sla.Met {
		t.Errorf("next = %v %s awaiting %v, want 40m met", m.Next.Status.Business, m.Next.Status.State, m.Awaiting)
	}
	if m.First.Status.Business != 10*time.Minute {
		t.Errorf("first = %v, want 10m (unchanged)", m.First.Status.Business)
	}
	// A second cycle answered late replaces the first in the stored row.
	f.replyAt(f.asker, tp.ID, time.Minute)
	f.replyAt(f.staff, tp.ID, 90*time.Minute)
	if m = f.metrics(tp.ID); m.Next.Status.State != sla.MetLate || m.Next.Status.Business != 90*time.Minute {
		t.Errorf("second cycle = %v %s, want 90m met late", m.Next.Status.Business, m.Next.Status.State)
	}
}

func TestSLASolutionAndAccept(t *testing.T) {
	f := newSLAFixture(t)
	tp := f.ask(f.asker)
	p := f.replyAt(f.member, tp.ID, 30*time.Minute)
	f.clock.Advance(30 * time.Minute)
	if err := f.s.Accept(f.as(f.asker), p.ID); err != nil {
		t.Fatal(err)
	}
	m := f.metrics(tp.ID)
	if m.SolutionCalendar != time.Hour || m.SolutionBusiness != time.Hour {
		t.Errorf("solution = %v / %v, want 1h", m.SolutionBusiness, m.SolutionCalendar)
	}
	if m.Awaiting != AwaitingNone || m.First.Answered() {
		t.Errorf("solved by the community: awaiting %v answered %v, want neither (left out of the figures)", m.Awaiting, m.First.Answered())
	}
}

func TestSLAPolicyFixedAtCreation(t *testing.T) {
	f := newSLAFixture(t)
	tp := f.ask(f.asker)
	f.policy(CategoryGettingStarted, sla.CalendarHours(10), sla.CalendarHours(10))
	f.replyAt(f.staff, tp.ID, 3*time.Hour)
	m := f.metrics(tp.ID)
	if m.FirstTarget != sla.CalendarHours(2) || m.First.Status.State != sla.MetLate {
		t.Errorf("target %+v state %s, want the 2 h target of creation time, met late", m.FirstTarget, m.First.Status.State)
	}
	f.clock.Advance(time.Hour)
	later := f.ask(f.member)
	if m := f.metrics(later.ID); m.FirstTarget != sla.CalendarHours(10) {
		t.Errorf("new topic target %+v, want the edited policy's 10 h", m.FirstTarget)
	}
}

func TestSLABusinessSchedule(t *testing.T) {
	f := newFixture(t)
	x, err := NewSLA(f.ctx, f.s, SLAConfig{}) // China schedule, default policies
	if err != nil {
		t.Fatal(err)
	}
	asker, staff := f.user("asker", RoleMember), f.user("eng", RoleStaff)
	f.age()
	// Friday 2026-03-06 17:00 in Shanghai; answered Monday 10:00.
	loc := x.Schedule().Location()
	f.clock.t = time.Date(2026, 3, 6, 17, 0, 0, 0, loc)
	tp, err := f.s.CreateTopic(f.as(asker), NewTopic{CategoryID: f.cats[CategoryProduction].ID, Title: "Latency spikes", Body: "p99 doubled", Lang: LangZH})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = time.Date(2026, 3, 9, 10, 0, 0, 0, loc)
	if _, err := f.s.Reply(f.as(staff), tp.ID, "Looking"); err != nil {
		t.Fatal(err)
	}
	m, err := x.TopicSLA(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.First.Status.Business != 90*time.Minute || m.First.Status.Calendar != 65*time.Hour || m.First.Status.State != sla.Met {
		t.Errorf("first = %v business, %v calendar, %s; want 1h30m, 65h, met (target 4 business hours)",
			m.First.Status.Business, m.First.Status.Calendar, m.First.Status.State)
	}
}

func TestSLACatchUp(t *testing.T) {
	f := newFixture(t)
	asker, staff := f.user("asker", RoleMember), f.user("eng", RoleStaff)
	f.age()
	// Events recorded while no SLA service listened (a crash after commit).
	tp := f.topic(asker, "Before the service", "A question asked while nothing listened.")
	f.reply(staff, tp.ID, "An official answer.")
	x, err := NewSLA(f.ctx, f.s, SLAConfig{Schedule: sla.TwentyFourSeven()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := x.TopicSLA(f.ctx, tp.ID)
	if err != nil {
		t.Fatalf("no metrics after catch-up: %v", err)
	}
	if m.First.Status.Business != time.Minute || m.SeenEventID == 0 {
		t.Errorf("first = %v seen %d, want 1m from the caught-up events", m.First.Status.Business, m.SeenEventID)
	}
	// A second start finds nothing new and keeps the row.
	if err := x.CatchUp(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSLAQueue(t *testing.T) {
	f := newSLAFixture(t)
	older := f.ask(f.asker)
	f.clock.Advance(10 * time.Minute)
	newer := f.ask(f.member)
	f.clock.Advance(10 * time.Minute)
	answered := f.ask(f.staffAsker)
	f.replyAt(f.staff, answered.ID, time.Minute)
	paused := f.ask(f.asker)
	if err := f.s.SetWaitingOnAsker(f.as(f.staff), paused.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.x.Queue(f.as(f.member), QueueFilter{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("member sees the queue: err = %v, want ErrForbidden", err)
	}
	if _, err := f.x.Queue(f.ctx, QueueFilter{}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("anonymous: err = %v, want ErrUnauthorized", err)
	}
	items, err := f.x.Queue(f.as(f.staff), QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, it := range items {
		got = append(got, it.TopicID)
	}
	want := []int64{older.ID, newer.ID, paused.ID}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("queue = %v, want %v (soonest due first, paused last, answered gone)", got, want)
	}
	if !items[2].Clock.Status.Paused || !items[0].Clock.Status.Due.Equal(older.CreatedAt.Add(2*time.Hour)) {
		t.Errorf("items %+v", items)
	}
	if items, _ := f.x.Queue(f.as(f.staff), QueueFilter{Lang: LangZH}); len(items) != 0 {
		t.Errorf("zh filter: %d items, want 0", len(items))
	}
	if items, _ := f.x.Queue(f.as(f.staff), QueueFilter{Category: CategoryGettingStarted, Lang: LangEN}); len(items) != 3 {
		t.Errorf("category filter: %d items, want 3", len(items))
	}
}

func TestSLAReportCountsWaitingAgainstTarget(t *testing.T) {
	f := newSLAFixture(t)
	met := f.ask(f.asker)
	f.replyAt(f.staff, met.ID, 30*time.Minute)
	late := f.ask(f.member)
	f.replyAt(f.staff, late.ID, 3*time.Hour)
	breached := f.ask(f.asker) // waits 3 h, past its 2 h target
	f.clock.Advance(2 * time.Hour)
	f.ask(f.member) // waits 1 h: not yet due, left out of the rates
	f.clock.Advance(time.Hour)
	closed := f.ask(f.asker)
	if err := f.s.CloseTopic(f.as(f.staff), closed.ID, CloseOutdated, 0); err != nil {
		t.Fatal(err)
	}
	_ = breached
	rep, err := f.x.Report(f.ctx, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if s.Topics != 5 || s.Answered != 2 || s.Met != 1 || s.MetLate != 1 || s.Waiting != 2 || s.WaitingBreached != 1 || s.LeftOut != 1 {
		t.Fatalf("summary %+v", s)
	}
	if s.MetPct < 33.3 || s.MetPct > 33.4 {
		t.Errorf("met = %.2f%%, want 33.33%% (1 met of 2 answered + 1 breached wait)", s.MetPct)
	}
	// Responses: 30m, 3h, +inf. Median rank 2 = 3h; p90 rank 3 = the breached wait.
	if !s.MedianReached || s.Median != 3*time.Hour || s.P90Reached {
		t.Errorf("median %v (%v), p90 %v (%v); want 3h, p90 not reached", s.Median, s.MedianReached, s.P90, s.P90Reached)
	}
	if s.OldestWait != 3*time.Hour {
		t.Errorf("oldest wait %v, want 3h", s.OldestWait)
	}
	if n := len(rep.Weeks); n != DefaultReportWeeks || rep.Weeks[n-1].Topics != 5 {
		t.Errorf("weeks %d, last %+v", n, rep.Weeks[n-1].Figures)
	}
	if len(rep.ByCategory) != 1 || rep.ByCategory[0].Key != CategoryGettingStarted || len(rep.ByLanguage) != 1 {
		t.Errorf("breakdowns %+v %+v", rep.ByCategory, rep.ByLanguage)
	}
	// A restart loads the same figures from the stored rows.
	again, err := NewSLA(f.ctx, f.s, SLAConfig{Schedule: sla.TwentyFourSeven()})
	if err != nil {
		t.Fatal(err)
	}
	if rep2, err := again.Report(f.ctx, ReportFilter{}); err != nil || rep2.Summary.Topics != s.Topics || rep2.Summary.Met != s.Met ||
		rep2.Summary.WaitingBreached != s.WaitingBreached || rep2.Summary.Median != s.Median {
		t.Errorf("after a restart: %+v (err %v), want %+v", rep2.Summary, err, s)
	}
	if _, err := f.x.Report(f.ctx, ReportFilter{Weeks: 53}); !errors.Is(err, ErrInvalid) {
		t.Errorf("53 weeks: err = %v, want ErrInvalid", err)
	}
}
