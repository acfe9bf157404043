package forum

import (
	"time"

	"github.com/switchboard-rtm/switchboard/forum/sla"
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
	Priority     Priority // at creation: it chose the policy
	CreatedAt    time.Time
	// The targets of the policy that applied when the topic was created.
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
// the targets fixed at its creation. It is pure: the SLA service stores
// the result.
//
// First official response: creation → first reply that counts
// (countsAsResponse). Next official response: after the first response,
// the asker's oldest public follow-up with no counting reply after it →
// the next counting reply; the latest such cycle is kept. Both clocks skip
// the "waiting for the asker" pauses. Time to solution: creation → the
// accepted answer, pauses included.
//
// A topic awaits a response while its clock runs with a target, and it is
// neither closed, deleted nor solved (a follow-up after the accepted
// answer is awaited again).
func measure(tl *Timeline, first, next sla.Target, s *sla.Schedule, now time.Time) TopicSLA {
	m := TopicSLA{TopicID: tl.TopicID, CategorySlug: tl.CategorySlug, Lang: tl.Lang, Priority: tl.InitialPriority,
		CreatedAt: tl.CreatedAt, FirstTarget: first, NextTarget: next, Closed: tl.Closed, Deleted: tl.Deleted, UpdatedAt: now}
	pauses := make([]sla.Pause, len(tl.Pauses))
	for i, p := range tl.Pauses {
		pauses[i] = sla.Pause{From: p.From, To: p.To}
	}
	firstIdx := -1
	for i, r := range tl.Replies {
		if countsAsResponse(r) {
			firstIdx = i
			break
		}
	}
	m.First.Start = tl.CreatedAt
	w := sla.Window{Start: tl.CreatedAt, Pauses: pauses}
	if firstIdx >= 0 {
		m.First.At, m.First.PostID = tl.Replies[firstIdx].At, tl.Replies[firstIdx].PostID
		w.End = m.First.At
	}
	m.First.Status = first.Evaluate(s, w, now)

	if firstIdx >= 0 {
		var pending, cycleStart, cycleEnd time.Time
		var cyclePost int64
		for _, r := range tl.Replies[firstIdx+1:] {
			switch {
			case countsAsResponse(r):
				if !pending.IsZero() {
					cycleStart, cycleEnd, cyclePost = pending, r.At, r.PostID
					pending = time.Time{}
				}
			case r.ByAsker && !r.Hidden:
				if pending.IsZero() {
					pending = r.At
				}
			}
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
	}

	if !tl.AcceptedAt.IsZero() {
		m.SolvedAt = tl.AcceptedAt
		m.SolutionBusiness = s.BusinessDuration(tl.CreatedAt, tl.AcceptedAt)
		m.SolutionCalendar = tl.AcceptedAt.Sub(tl.CreatedAt)
	}

	if !tl.Closed && !tl.Deleted {
		switch {
		case !m.First.Answered():
			if !first.IsZero() && tl.AcceptedAt.IsZero() {
				m.Awaiting = AwaitingFirst
			}
		case m.Next.Started() && !m.Next.Answered():
			if !next.IsZero() && (tl.AcceptedAt.IsZero() || m.Next.Start.After(tl.AcceptedAt)) {
				m.Awaiting = AwaitingNext
			}
		}
	}
	return m
}
