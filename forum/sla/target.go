package sla

import (
	"fmt"
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

const (
	NoTarget State = "none"     // the policy sets no target
	OnTrack  State = "on_track" // waiting, less than 75% of the target used
	AtRisk   State = "at_risk"  // waiting, at least 75% used, not over
	Breached State = "breached" // waiting, more than the target used
	Met      State = "met"      // answered within the target
	MetLate  State = "met_late" // answered after the target
)

// AtRiskShare is the share of a target that, once used, puts a waiting
// response at risk: 3/4.
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
	// Business is the business time counted so far on the schedule, and
	// Calendar the elapsed time, both less pauses. They are measured to End,
	// or to now while waiting.
	Business time.Duration
	Calendar time.Duration
	// Used is the time counted on the target's basis (Business or Calendar).
	Used time.Duration
	// Left is the target less Used: negative once over. Zero without a
	// target.
	Left time.Duration
	// Due is when the target is (or was) reached if the clock keeps running.
	// It is zero without a target, and while a pause is open and the target
	// not yet reached, since the due time then depends on the asker.
	Due time.Time
	// Paused reports an open pause at now while waiting.
	Paused bool
}

// Evaluate computes the status of w against t at now. Business time is
// counted on s; a Calendar target ignores s for Used and Due. A window whose
// End is after now is treated as still waiting.
func (t Target) Evaluate(s *Schedule, w Window, now time.Time) Status {
	end, waiting := w.End, w.End.IsZero() || w.End.After(now)
	if waiting {
		end = now
	}
	st := Status{
		Business: s.BusinessDurationExcluding(w.Start, end, w.Pauses),
		Calendar: CalendarDuration(w.Start, end, w.Pauses),
	}
	if waiting {
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
	if t.IsZero() {
		st.State = NoTarget
		return st
	}
	st.Left = t.Duration - st.Used
	if due, ok := clock.AddBusinessExcluding(w.Start, t.Duration, w.Pauses); ok {
		st.Due = due
	}
	switch {
	case !waiting && st.Used <= t.Duration:
		st.State = Met
	case !waiting:
		st.State = MetLate
	case st.Used > t.Duration:
		st.State = Breached
	case st.Used*atRiskDen >= t.Duration*atRiskNum:
		st.State = AtRisk
	default:
		st.State = OnTrack
	}
	return st
}
