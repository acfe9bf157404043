package forum

import (
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// Awaiting says which official response a topic is waiting for.
type Awaiting int

const (
	AwaitingNone  Awaiting = 0
	AwaitingFirst Awaiting = 1 // no official response yet
	AwaitingNext  Awaiting = 2 // the asker followed up after the last official response
)

// ResponseClock is one response-time measurement of a topic: the first
// official response, or the latest next-response cycle.
type ResponseClock struct {
	// Start is when the clock started: the topic's creation, or the
	// asker's oldest follow-up with no official reply after it. Zero when
	// the clock never started (no follow-up yet).
	Start time.Time
	// At is the official reply that stopped the clock; zero while awaited.
	At     time.Time
	PostID int64
	// Status is the clock evaluated when the topic last changed: Business
	// and Calendar run to At, or to that moment while awaited; Due and
	// AtRiskAt let pages tell the state at any later instant (StateAt)
	// without the schedule.
	Status sla.Status
}

// Started reports whether the clock ever started.
func (c ResponseClock) Started() bool { return !c.Start.IsZero() }

// Answered reports whether an official response stopped the clock.
func (c ResponseClock) Answered() bool { return !c.At.IsZero() }

// StateAt is the clock's state at now.
func (c ResponseClock) StateAt(now time.Time) sla.State { return c.Status.StateAt(now) }

// TopicSLA is a topic's stored response-time metrics (forum_sla_topics).
type TopicSLA struct {
	TopicID      int64
	CategorySlug string
	Lang         string
	Priority     Priority // current: it chose the policy (with the category)
	CreatedAt    time.Time
	// The targets of the policy for the topic's category and priority,
	// kept until either changes (editing a policy does not rewrite them).
	FirstTarget sla.Target
	NextTarget  sla.Target

	First ResponseClock
	Next  ResponseClock

	// SolvedAt is when the accepted answer was accepted; the solution
	// durations run from creation to then, pauses included.
	SolvedAt         time.Time
	SolutionBusiness time.Duration
	SolutionCalendar time.Duration

	Awaiting Awaiting
	Closed   bool
	Deleted  bool
	// SeenEventID is the topic's latest event when it was measured.
	SeenEventID int64
	UpdatedAt   time.Time
}

// Awaited returns the clock the topic is waiting on, if any.
func (m *TopicSLA) Awaited() (ResponseClock, sla.Target, bool) {
	switch m.Awaiting {
	case AwaitingFirst:
		return m.First, m.FirstTarget, true
	case AwaitingNext:
		return m.Next, m.NextTarget, true
	}
	return ResponseClock{}, sla.Target{}, false
}

// countsAsResponse reports whether a reply stops a response clock: an
// official reply (staff role when posted, not the asker) that is public
// (not hidden pending flag review). Deleted replies are not in the
// timeline at all, and edits never change a reply's time.
func countsAsResponse(r TimelineReply) bool { return r.Official() && !r.Hidden }

// measure computes a topic's metrics from its timeline at now, against
// the targets of the policy for its category and current priority. It is
// pure: the SLA service stores the result.
//
// It walks the replies and lifecycle marks in time order:
//   - First official response: creation → the first reply that counts
//     (countsAsResponse).
//   - An accepted answer or a close stops every clock: a first response
//     not yet given is Stopped (no longer awaited, left out of the
//     figures), and a next-response cycle not yet answered is dropped.
//   - Next official response: after the first clock ended, a cycle starts
//     at the asker's oldest public follow-up with no counting reply after
//     it, while the topic is neither solved nor closed; at "I still need
//     help" (EventStillNeedHelp, which un-solves the topic); or when the
//     team reopens the topic. It ends at the next counting reply. The
//     latest answered or running cycle is kept. A reply by the asker while
//     the topic is solved or closed ("Thanks!") starts nothing.
//   - Both clocks skip the "waiting for the asker" pauses. Time to
//     solution: creation → the accepted answer, pauses included.
//
// A topic awaits a response while a clock with a target runs and the
// topic is neither closed nor deleted.
func measure(tl *Timeline, first, next sla.Target, s *sla.Schedule, now time.Time) TopicSLA {
	m := TopicSLA{TopicID: tl.TopicID, CategorySlug: tl.CategorySlug, Lang: tl.Lang, Priority: tl.Priority,
		CreatedAt: tl.CreatedAt, FirstTarget: first, NextTarget: next, Closed: tl.Closed, Deleted: tl.Deleted, UpdatedAt: now}
	pauses := make([]sla.Pause, len(tl.Pauses))
	for i, p := range tl.Pauses {
		pauses[i] = sla.Pause{From: p.From, To: p.To}
	}

	var (
		solved, closed bool
		firstDone      bool      // the first clock ended: answered or stopped
		firstStop      time.Time // when an accept or close stopped it unanswered
		pending        time.Time // start of the running next-response cycle
		cycleStart     time.Time // the latest answered cycle
		cycleEnd       time.Time
		cyclePost      int64
	)
	m.First.Start = tl.CreatedAt
	stop := func(at time.Time) {
		if !firstDone {
			firstDone, firstStop = true, at
		}
		pending = time.Time{}
	}
	startCycle := func(at time.Time) {
		if firstDone && pending.IsZero() {
			pending = at
		}
	}
	ri, mi := 0, 0
	for ri < len(tl.Replies) || mi < len(tl.Marks) {
		// Replies first at the same instant: a mark never hides a reply.
		if ri < len(tl.Replies) && (mi == len(tl.Marks) || !tl.Marks[mi].At.Before(tl.Replies[ri].At)) {
			r := tl.Replies[ri]
			ri++
			switch {
			case countsAsResponse(r) && !firstDone:
				firstDone = true
				m.First.At, m.First.PostID = r.At, r.PostID
			case countsAsResponse(r):
				if !pending.IsZero() {
					cycleStart, cycleEnd, cyclePost = pending, r.At, r.PostID
					pending = time.Time{}
				}
			case r.ByAsker && !r.Hidden && !solved && !closed:
				startCycle(r.At)
			}
			continue
		}
		mk := tl.Marks[mi]
		mi++
		switch mk.Kind {
		case EventAccepted:
			solved = true
			stop(mk.At)
		case EventUnaccepted:
			solved = false
		case EventClosed:
			closed = true
			stop(mk.At)
		case EventReopened:
			closed = false
			if mk.ByTeam && !solved {
				startCycle(mk.At)
			}
		case EventStillNeedHelp:
			solved = false
			if !closed {
				startCycle(mk.At)
			}
		}
	}

	w := sla.Window{Start: tl.CreatedAt, Pauses: pauses}
	switch {
	case m.First.Answered():
		w.End = m.First.At
		m.First.Status = first.Evaluate(s, w, now)
	case firstDone:
		w.End = firstStop
		m.First.Status = first.Evaluate(s, w, now)
		m.First.Status.State, m.First.Status.Due, m.First.Status.AtRiskAt, m.First.Status.Left = sla.Stopped, time.Time{}, time.Time{}, 0
		if first.IsZero() {
			m.First.Status.State = sla.NoTarget
		}
	default:
		m.First.Status = first.Evaluate(s, w, now)
	}

	switch {
	case !pending.IsZero():
		m.Next.Start = pending
	case !cycleStart.IsZero():
		m.Next.Start, m.Next.At, m.Next.PostID = cycleStart, cycleEnd, cyclePost
	}
	if m.Next.Started() {
		m.Next.Status = next.Evaluate(s, sla.Window{Start: m.Next.Start, End: m.Next.At, Pauses: pauses}, now)
	}

	if !tl.AcceptedAt.IsZero() {
		m.SolvedAt = tl.AcceptedAt
		m.SolutionBusiness = s.BusinessDuration(tl.CreatedAt, tl.AcceptedAt)
		m.SolutionCalendar = tl.AcceptedAt.Sub(tl.CreatedAt)
	}

	if !tl.Closed && !tl.Deleted {
		switch {
		case !firstDone:
			if !first.IsZero() {
				m.Awaiting = AwaitingFirst
			}
		case !pending.IsZero():
			if !next.IsZero() {
				m.Awaiting = AwaitingNext
			}
		}
	}
	return m
}
