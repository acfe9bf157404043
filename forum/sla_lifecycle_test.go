package forum

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// TestSLALifecycle checks every rule of a question's life against the
// response clocks (getting-started targets: first 2 h, next 1 h, 24/7).
func TestSLALifecycle(t *testing.T) {
	type want struct {
		awaiting   Awaiting
		firstState sla.State
		nextFrom   time.Duration // offset of the running next clock's start from the topic's creation; -1: none running
	}
	tests := []struct {
		name  string
		steps func(f *slaFixture, tp *Topic)
		want  want
	}{
		{"a new question awaits its first response", func(f *slaFixture, tp *Topic) {},
			want{AwaitingFirst, sla.OnTrack, -1}},
		{"an accepted community answer stops the first clock", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.member, tp.ID, 30*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
			f.clock.Advance(5 * time.Hour) // long past the 2 h target
		}, want{AwaitingNone, sla.Stopped, -1}},
		{"a close stops the first clock", func(f *slaFixture, tp *Topic) {
			f.clock.Advance(time.Hour)
			if err := f.s.CloseTopic(f.as(f.asker), tp.ID, CloseResolved, 0); err != nil {
				f.t.Fatal(err)
			}
			f.clock.Advance(5 * time.Hour)
		}, want{AwaitingNone, sla.Stopped, -1}},
		{"the asker's follow-up starts the next clock", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.replyAt(f.asker, tp.ID, 20*time.Minute)
		}, want{AwaitingNext, sla.Met, 30 * time.Minute}},
		{"thanks after acceptance start no clock", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
			f.replyAt(f.asker, tp.ID, 2*time.Hour) // "Thanks!"
			f.clock.Advance(9 * 24 * time.Hour)
		}, want{AwaitingNone, sla.Met, -1}},
		{"acceptance drops a running next clock", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.replyAt(f.asker, tp.ID, 10*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
		}, want{AwaitingNone, sla.Met, -1}},
		{"a close drops a running next clock", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.replyAt(f.asker, tp.ID, 10*time.Minute)
			f.clock.Advance(time.Minute)
			if err := f.s.CloseTopic(f.as(f.staff), tp.ID, CloseOutdated, 0); err != nil {
				f.t.Fatal(err)
			}
		}, want{AwaitingNone, sla.Met, -1}},
		{"I still need help un-solves and starts the next clock", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
			f.replyAt(f.asker, tp.ID, 10*time.Minute) // "Thanks!" (30 m)
			f.clock.Advance(time.Hour)                // 1 h 30 m
			if err := f.s.StillNeedHelp(f.as(f.asker), tp.ID); err != nil {
				f.t.Fatal(err)
			}
		}, want{AwaitingNext, sla.Met, 90 * time.Minute}},
		{"I still need help after a community answer", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.member, tp.ID, 10*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
			f.clock.Advance(time.Hour)
			if err := f.s.StillNeedHelp(f.as(f.asker), tp.ID); err != nil {
				f.t.Fatal(err)
			}
		}, want{AwaitingNext, sla.Stopped, 80 * time.Minute}},
		{"a staff reopen starts the next clock", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.clock.Advance(10 * time.Minute)
			if err := f.s.CloseTopic(f.as(f.asker), tp.ID, CloseResolved, 0); err != nil {
				f.t.Fatal(err)
			}
			f.clock.Advance(time.Hour) // 1 h 20 m
			if err := f.s.ReopenTopic(f.as(f.staff), tp.ID); err != nil {
				f.t.Fatal(err)
			}
		}, want{AwaitingNext, sla.Met, 80 * time.Minute}},
		{"an asker's reopen waits for their follow-up", func(f *slaFixture, tp *Topic) {
			f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.clock.Advance(10 * time.Minute)
			if err := f.s.CloseTopic(f.as(f.asker), tp.ID, CloseResolved, 0); err != nil {
				f.t.Fatal(err)
			}
			f.clock.Advance(time.Hour)
			if err := f.s.ReopenTopic(f.as(f.asker), tp.ID); err != nil {
				f.t.Fatal(err)
			}
		}, want{AwaitingNone, sla.Met, -1}},
		{"an official reply answers the reopened topic", func(f *slaFixture, tp *Topic) {
			p := f.replyAt(f.staff, tp.ID, 10*time.Minute)
			f.accept(f.asker, p.ID, 10*time.Minute)
			f.clock.Advance(10 * time.Minute)
			if err := f.s.StillNeedHelp(f.as(f.asker), tp.ID); err != nil {
				f.t.Fatal(err)
			}
			f.replyAt(f.staff, tp.ID, 15*time.Minute)
		}, want{AwaitingNone, sla.Met, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSLAFixture(t)
			tp := f.ask(f.asker)
			tt.steps(f, tp)
			m := f.metrics(tp.ID)
			if m.Awaiting != tt.want.awaiting {
				t.Errorf("awaiting = %v, want %v", m.Awaiting, tt.want.awaiting)
			}
			if got := m.First.StateAt(f.clock.Now()); got != tt.want.firstState {
				t.Errorf("first response state = %s, want %s", got, tt.want.firstState)
			}
			if tt.want.nextFrom >= 0 {
				if got := m.Next.Start.Sub(tp.CreatedAt); m.Next.Answered() || got != tt.want.nextFrom {
					t.Errorf("next clock from %v (answered %v), want running from %v", got, m.Next.Answered(), tt.want.nextFrom)
				}
			}
			items, err := f.x.Queue(f.as(f.staff), QueueFilter{})
			if err != nil {
				t.Fatal(err)
			}
			inQueue := false
			for _, it := range items {
				inQueue = inQueue || it.TopicID == tp.ID
			}
			if want := tt.want.awaiting != AwaitingNone; inQueue != want {
				t.Errorf("in the staff queue = %v, want %v", inQueue, want)
			}
		})
	}
}

func (f *slaFixture) accept(u *User, postID int64, after time.Duration) {
	f.t.Helper()
	f.clock.Advance(after)
	if err := f.s.Accept(f.as(u), postID); err != nil {
		f.t.Fatalf("accept: %v", err)
	}
}

func TestStillNeedHelpRules(t *testing.T) {
	f := newSLAFixture(t)
	tp := f.ask(f.asker)
	p := f.replyAt(f.staff, tp.ID, 10*time.Minute)
	wantErr(t, f.s.StillNeedHelp(f.as(f.asker), tp.ID), ErrInvalid) // not solved
	f.accept(f.asker, p.ID, time.Minute)
	wantErr(t, f.s.StillNeedHelp(f.as(f.member), tp.ID), ErrForbidden)
	wantErr(t, f.s.StillNeedHelp(f.as(f.staff), tp.ID), ErrForbidden) // the asker's choice
	if err := f.s.CloseTopic(f.as(f.asker), tp.ID, CloseResolved, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.StillNeedHelp(f.as(f.asker), tp.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.Topic(f.ctx, tp.ID)
	if got.Solved() || got.Closed() {
		t.Errorf("after I still need help: solved %v closed %v, want neither", got.Solved(), got.Closed())
	}
	if m := f.metrics(tp.ID); m.Awaiting != AwaitingNext {
		t.Errorf("awaiting %v, want the next response", m.Awaiting)
	}
}

// TestSLAPriorityChange checks that a priority change by staff applies
// the policy of the new priority from the topic's start, so Urgent's
// 1 hour around the clock really applies.
func TestSLAPriorityChange(t *testing.T) {
	f := newSLAFixture(t)
	f.policyFor(CategoryProduction, sla.Normal, sla.BusinessHours(4), sla.BusinessHours(4))
	f.policyFor(CategoryProduction, sla.Urgent, sla.CalendarHours(1), sla.CalendarHours(1))
	tp, err := f.s.CreateTopic(f.as(f.asker), NewTopic{CategoryID: f.cats[CategoryProduction].ID, Title: "Engine down", Body: "All clients fail", Lang: LangEN})
	if err != nil {
		t.Fatal(err)
	}
	if m := f.metrics(tp.ID); m.FirstTarget != sla.BusinessHours(4) {
		t.Fatalf("normal target %+v, want 4 business hours", m.FirstTarget)
	}
	f.clock.Advance(50 * time.Minute)
	if err := f.s.SetPriority(f.as(f.staff), tp.ID, PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	m := f.metrics(tp.ID)
	if m.Priority != PriorityUrgent || m.FirstTarget != sla.CalendarHours(1) {
		t.Fatalf("after raising to urgent: priority %s target %+v, want urgent, 1 h around the clock", m.Priority, m.FirstTarget)
	}
	if !m.First.Status.Due.Equal(tp.CreatedAt.Add(time.Hour)) || m.First.StateAt(f.clock.Now()) != sla.AtRisk {
		t.Errorf("due %v state %s, want 1 h after the question, at risk", m.First.Status.Due, m.First.StateAt(f.clock.Now()))
	}
	f.clock.Advance(15 * time.Minute)
	if got := f.metrics(tp.ID).First.StateAt(f.clock.Now()); got != sla.Breached {
		t.Errorf("65 minutes in: %s, want breached", got)
	}
	evs, err := f.s.TopicEvents(f.ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || e.Kind == EventPriorityChanged && e.Data["from"] == "normal" && e.Data["to"] == "urgent" && e.ActorID == f.staff.ID
	}
	if !found {
		t.Errorf("no priority change in the topic's history: %+v", evs)
	}
}

func (f *slaFixture) policyFor(cat string, p sla.Priority, first, next sla.Target) {
	f.t.Helper()
	if err := f.x.SetPolicy(f.as(f.admin), sla.Policy{Category: cat, Priority: p, FirstResponse: first, NextResponse: next, MembersMayChoose: true}); err != nil {
		f.t.Fatal(err)
	}
}

func TestSLADefaultPolicyForNewCategory(t *testing.T) {
	f := newSLAFixture(t)
	cat, err := f.s.CreateCategory(f.as(f.admin), CategoryInput{Slug: "webhooks", NameEN: "Webhooks", NameZH: "Webhook"})
	if err != nil {
		t.Fatal(err)
	}
	f.policyFor(sla.DefaultCategory, sla.Normal, sla.CalendarHours(6), sla.CalendarHours(3))
	tp, err := f.s.CreateTopic(f.as(f.asker), NewTopic{CategoryID: cat.ID, Title: "Retries?", Body: "How often are webhooks retried?", Lang: LangEN})
	if err != nil {
		t.Fatal(err)
	}
	m := f.metrics(tp.ID)
	if m.FirstTarget != sla.CalendarHours(6) || m.NextTarget != sla.CalendarHours(3) || m.Awaiting != AwaitingFirst {
		t.Errorf("targets %+v / %+v awaiting %v, want the default policy's 6 h / 3 h, awaiting", m.FirstTarget, m.NextTarget, m.Awaiting)
	}
}

func TestPriorityChoice(t *testing.T) {
	f := newSLAFixture(t)
	prod, gs := f.cats[CategoryProduction].ID, f.cats[CategoryGettingStarted].ID
	ask := func(u *User, cat int64, p Priority, impact string) (*Topic, error) {
		f.clock.Advance(time.Hour)
		return f.s.CreateTopic(f.as(u), NewTopic{CategoryID: cat, Title: "Help with " + string(p), Body: "Details", Lang: LangEN, Priority: p, Impact: impact})
	}
	tests := []struct {
		name   string
		u      *User
		cat    int64
		p      Priority
		impact string
		field  string // "" when allowed
	}{
		{"member, normal", f.asker, gs, PriorityNormal, "", ""},
		{"member, high where allowed", f.asker, gs, PriorityHigh, "", ""},
		{"member, urgent in Production", f.asker, prod, PriorityUrgent, "Checkout is down for all EU users", ""},
		{"member, urgent without impact", f.asker, prod, PriorityUrgent, "  ", "impact"},
		{"member, urgent with a multi-line impact", f.asker, prod, PriorityUrgent, "down\nfor all", "impact"},
		{"member, urgent outside Production", f.asker, gs, PriorityUrgent, "Cannot log in", "priority"},
		{"staff, urgent anywhere", f.staff, gs, PriorityUrgent, "Demo for a customer at 10:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := ask(tt.u, tt.cat, tt.p, tt.impact)
			if tt.field != "" {
				if e := wantErr(t, err, ErrInvalid); e.FieldName != tt.field {
					t.Errorf("field = %q, want %q", e.FieldName, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tp.Priority != tt.p {
				t.Errorf("priority %s, want %s", tp.Priority, tt.p)
			}
			evs, _ := f.s.TopicEvents(f.ctx, tp.ID)
			if tt.p == PriorityUrgent && (len(evs) == 0 || evs[0].Data["impact"] != tt.impact) {
				t.Errorf("impact statement not recorded: %+v", evs)
			}
		})
	}
	choices, err := f.s.PriorityChoices(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := choices[CategoryProduction]; len(got) != 3 {
		t.Errorf("members' choices in Production = %v, want all three", got)
	}
	if got := choices[CategoryGettingStarted]; len(got) != 2 || got[1] != PriorityHigh {
		t.Errorf("members' choices in Getting started = %v, want normal and high", got)
	}
}

func TestQueueUnclaimAndReassign(t *testing.T) {
	f := newSLAFixture(t)
	other := f.user("other engineer", RoleStaff)
	tp := f.ask(f.asker)
	assignee := func() int64 {
		t.Helper()
		items, err := f.x.Queue(f.as(f.staff), QueueFilter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("queue %+v, %v", items, err)
		}
		return items[0].AssigneeID
	}
	if err := f.s.Claim(f.as(f.staff), tp.ID); err != nil {
		t.Fatal(err)
	}
	if got := assignee(); got != f.staff.ID {
		t.Errorf("claimed by %d, want %d", got, f.staff.ID)
	}
	if err := f.s.Assign(f.as(f.staff), tp.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if got := assignee(); got != other.ID {
		t.Errorf("reassigned to %d, want %d", got, other.ID)
	}
	if err := f.s.Assign(f.as(other), tp.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := assignee(); got != 0 {
		t.Errorf("after unclaim: assignee %d, want none", got)
	}
	wantErr(t, f.s.Assign(f.as(f.staff), tp.ID, f.asker.ID), ErrInvalid) // members cannot take topics
	if err := f.s.Assign(f.as(f.asker), tp.ID, 0); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member unassigned: err = %v, want ErrForbidden", err)
	}
}

// TestSeededSolvedTopicsNotOverdue starts the demo forum as `go run .`
// does (China schedule, default policies) and checks that no solved topic
// is awaited, overdue or in the queue, long after the askers said thanks.
func TestSeededSolvedTopicsNotOverdue(t *testing.T) {
	f := newFixture(t)
	if err := f.s.Seed(f.ctx, SeedOptions{Demo: true}); err != nil {
		t.Fatal(err)
	}
	x, err := NewSLA(f.ctx, f.s, SLAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	solved, err := f.s.ListTopics(f.ctx, TopicFilter{Kind: ListSolved})
	if err != nil {
		t.Fatal(err)
	}
	if solved.Total < 3 {
		t.Fatalf("%d solved demo topics, want at least 3", solved.Total)
	}
	thanked := 0
	for _, tp := range solved.Topics {
		m, err := x.TopicSLA(f.ctx, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []ResponseClock{m.First, m.Next} {
			if st := c.StateAt(f.clock.Now()); st == sla.Breached || st == sla.AtRisk || st == sla.OnTrack {
				t.Errorf("solved topic %q: a clock is %s", tp.Title, st)
			}
		}
		if m.Awaiting != AwaitingNone {
			t.Errorf("solved topic %q awaits %v", tp.Title, m.Awaiting)
		}
		tl, _ := f.s.Timeline(f.ctx, tp.ID)
		if r := tl.Replies; len(r) > 0 && r[len(r)-1].ByAsker {
			thanked++
		}
	}
	if thanked < 2 {
		t.Errorf("%d solved demo topics end with the asker's thanks, want 2 (the case that went overdue)", thanked)
	}
	staff := f.user("on call", RoleStaff)
	items, err := x.Queue(NewContext(f.ctx, staff), QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		for _, tp := range solved.Topics {
			if it.TopicID == tp.ID {
				t.Errorf("solved topic %q is in the staff queue", tp.Title)
			}
		}
	}
}
