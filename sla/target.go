package sla

import (
	"fmt"
	"math"
	"time"
)

// Basis says which clock a target is counted on.
type Basis string

const (
	// BusinessTime counts on the schedule that applies to the topic.
	BusinessTime Basis = "business"
	// CalendarTime counts elapsed time, day and night (24/7).
	CalendarTime Basis = "calendar"
)

// MaxTarget is the longest target a policy may set.
const MaxTarget = 365 * day

// Target is a response-time goal. The zero Target means "no target".
type Target struct {
	Duration time.Duration `json:"duration"`
	Basis    Basis         `json:"basis"`
}

// BusinessHours returns a target of h business hours.
func BusinessHours(h float64) Target {
	return Target{Duration: time.Duration(h * float64(time.Hour)), Basis: BusinessTime}
}

// CalendarHours returns a target of h elapsed hours.
func CalendarHours(h float64) Target {
	return Target{Duration: time.Duration(h * float64(time.Hour)), Basis: CalendarTime}
}

// IsZero reports whether t sets no target.
func (t Target) IsZero() bool { return t.Duration == 0 }

// Validate checks that t is no target, or a positive duration up to
// MaxTarget on a known basis.
func (t Target) Validate() error {
	if t.IsZero() {
		return nil
	}
	if t.Duration < 0 || t.Duration > MaxTarget {
		return fmt.Errorf("target %v: want 0 (none) up to %v", t.Duration, MaxTarget)
	}
	if t.Basis != BusinessTime && t.Basis != CalendarTime {
		return fmt.Errorf("target basis %q: want %q or %q", t.Basis, BusinessTime, CalendarTime)
	}
	return nil
}

// State is where a response stands against its target.
type State string

// The states. With used the time counted against the target so far, and
// the due time the instant used reaches the target:
const (
	NoTarget State = "none"     // the policy sets no target
	OnTrack  State = "on_track" // waiting, used < 75% of the target
	AtRisk   State = "at_risk"  // waiting, 75% of the target <= used < target
	Breached State = "breached" // waiting, used >= target: the due time has passed
	Met      State = "met"      // answered with used < target: before the due time
	MetLate  State = "met_late" // answered with used >= target
	// Stopped: the topic was solved or closed before the response came;
	// the clock no longer runs and the response is no longer awaited.
	Stopped State = "stopped"
)

// A waiting response is at risk once atRiskNum/atRiskDen (75%) of its
// target is used.
const (
	atRiskNum = 3
	atRiskDen = 4
)

// Window is the span one response clock measures: from Start (topic
// created, or the asker's oldest unanswered follow-up) to End (the staff
// reply; zero while still waiting), less Pauses.
type Window struct {
	Start  time.Time
	End    time.Time
	Pauses []Pause
}

// Status is a response clock evaluated at one instant.
type Status struct {
	State State
	// Business is the business time counted on the schedule, and Calendar
	// the elapsed time, both less pauses, from Start to End, or to now while
	// waiting.
	Business time.Duration
	Calendar time.Duration
	// Used is the time counted on the target's basis (Business or Calendar).
	Used time.Duration
	// Left is the target less Used: zero or negative once breached. Zero
	// without a target.
	Left time.Duration
	// Due is the earliest instant at which Used reaches the target, and
	// AtRiskAt the earliest at which it reaches 75% of it, counting as if the
	// clock keeps running after now. Both stay the same between events as
	// long as no pause starts, so a store can keep them and sort a queue by
	// Due. Either is zero when there is no target, or when an open pause
	// stops the clock before that instant (it then depends on the asker).
	Due      time.Time
	AtRiskAt time.Time
	// Paused reports an open pause at now while waiting.
	Paused bool
}

// StateAt returns the state of a waiting, unpaused response at now from
// the Due and AtRiskAt of an earlier evaluation, without the schedule. For
// other statuses it returns st.State.
func (st Status) StateAt(now time.Time) State {
	switch {
	case st.Paused || st.Due.IsZero() || (st.State != OnTrack && st.State != AtRisk && st.State != Breached):
		return st.State
	case !now.Before(st.Due):
		return Breached
	case !st.AtRiskAt.IsZero() && !now.Before(st.AtRiskAt):
		return AtRisk
	}
	return OnTrack
}

// Evaluate computes the status of w against t at now. Business time is
// counted on s; a CalendarTime target ignores s for Used and Due, and any
// other basis counts as BusinessTime. A window whose End is after now is
// treated as still waiting.
func (t Target) Evaluate(s *Schedule, w Window, now time.Time) Status {
	end, waiting := w.End, w.End.IsZero() || w.End.After(now)
	if waiting {
		end = now
	}
	a, b := clampNs(w.Start), clampNs(end)
	ps := normalize(w.Pauses, a, math.MaxInt64) // one normalization for every sum below
	var st Status
	if b > a {
		st.Business = time.Duration(s.measureExcluding(a, b, ps))
		st.Calendar = time.Duration(twentyFourSeven.measureExcluding(a, b, ps))
	}
	if waiting && !now.Before(w.Start) {
		for _, p := range w.Pauses {
			if !p.From.After(now) && (p.To.IsZero() || p.To.After(now)) {
				st.Paused = true
			}
		}
	}
	clock := s
	st.Used = st.Business
	if t.Basis == CalendarTime {
		clock, st.Used = twentyFourSeven, st.Calendar
	}
	if t.Duration <= 0 { // no target; a negative one is invalid and counts as none
		st.State = NoTarget
		return st
	}
	st.Left = t.Duration - st.Used
	// Due follows AtRiskAt, so the walk to the due time starts where the
	// walk to the at-risk time ended.
	risk := (t.Duration*atRiskNum + atRiskDen - 1) / atRiskDen // rounded up
	if riskAt, ok := clock.addExcluding(a, int64(risk), ps); ok {
		st.AtRiskAt = time.Unix(0, riskAt).In(w.Start.Location())
		st.Due = st.AtRiskAt
		if rest := t.Duration - risk; rest > 0 {
			if due, ok := clock.addExcluding(riskAt, int64(rest), ps); ok {
				st.Due = time.Unix(0, due).In(w.Start.Location())
			} else {
				st.Due = time.Time{}
			}
		}
	}
	switch {
	case !waiting && st.Used < t.Duration:
		st.State = Met
	case !waiting:
		st.State = MetLate
	case st.Used >= t.Duration:
		st.State = Breached
	case st.Used >= risk:
		st.State = AtRisk
	default:
		st.State = OnTrack
	}
	return st
}
