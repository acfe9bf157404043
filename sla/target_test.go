package sla

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	s := defaultSchedule(t)
	fourHours := BusinessHours(4)
	oneHour := CalendarHours(1)
	created := sh(2026, 11, 23, 10, 0) // a Monday
	tests := []struct {
		name     string
		target   Target
		w        Window
		now      time.Time
		want     State
		used     time.Duration
		calendar time.Duration
		due      time.Time
		paused   bool
	}{
		{"waiting, just started", fourHours, Window{Start: created}, sh(2026, 11, 23, 11, 0),
			OnTrack, time.Hour, time.Hour, sh(2026, 11, 23, 14, 0), false},
		{"waiting, 75% used is at risk", fourHours, Window{Start: created}, sh(2026, 11, 23, 13, 0),
			AtRisk, 3 * time.Hour, 3 * time.Hour, sh(2026, 11, 23, 14, 0), false},
		{"waiting, the due time is reached", fourHours, Window{Start: created}, sh(2026, 11, 23, 14, 0),
			Breached, 4 * time.Hour, 4 * time.Hour, sh(2026, 11, 23, 14, 0), false},
		{"waiting, over the target", fourHours, Window{Start: created}, sh(2026, 11, 23, 14, 1),
			Breached, hm(4, 1), hm(4, 1), sh(2026, 11, 23, 14, 0), false},
		{"the night does not count", fourHours, Window{Start: sh(2026, 11, 23, 16, 0)}, sh(2026, 11, 24, 8, 0),
			OnTrack, hm(1, 30), 16 * time.Hour, sh(2026, 11, 24, 11, 30), false},
		{"answered in time", fourHours, Window{Start: created, End: sh(2026, 11, 23, 12, 14)}, sh(2026, 11, 30, 0, 0),
			Met, hm(2, 14), hm(2, 14), sh(2026, 11, 23, 14, 0), false},
		{"answered after closing on the due day", fourHours, Window{Start: sh(2026, 11, 23, 13, 30), End: sh(2026, 11, 23, 20, 0)}, sh(2026, 11, 30, 0, 0),
			MetLate, 4 * time.Hour, hm(6, 30), sh(2026, 11, 23, 17, 30), false},
		{"answered late", fourHours, Window{Start: created, End: sh(2026, 11, 24, 10, 0)}, sh(2026, 11, 30, 0, 0),
			MetLate, hm(8, 30), 24 * time.Hour, sh(2026, 11, 23, 14, 0), false},
		{"paused while waiting for the asker", fourHours,
			Window{Start: created, Pauses: []Pause{{From: sh(2026, 11, 23, 11, 0)}}}, sh(2026, 11, 25, 11, 0),
			OnTrack, time.Hour, time.Hour, time.Time{}, true},
		{"pause over a night, resumed", fourHours,
			Window{Start: created, Pauses: []Pause{{From: sh(2026, 11, 23, 12, 0), To: sh(2026, 11, 24, 10, 0)}}}, sh(2026, 11, 24, 11, 0),
			AtRisk, 3 * time.Hour, 3 * time.Hour, sh(2026, 11, 24, 12, 0), false},
		{"urgent: calendar hour over the night", oneHour, Window{Start: sh(2026, 11, 23, 23, 30)}, sh(2026, 11, 24, 0, 40),
			Breached, hm(1, 10), hm(1, 10), sh(2026, 11, 24, 0, 30), false},
		{"no target", Target{}, Window{Start: created}, sh(2026, 11, 23, 11, 0),
			NoTarget, time.Hour, time.Hour, time.Time{}, false},
		{"a negative target counts as none", Target{Duration: -time.Hour, Basis: BusinessTime}, Window{Start: created}, sh(2026, 11, 23, 11, 0),
			NoTarget, time.Hour, time.Hour, time.Time{}, false},
		{"a reply after now is not yet a reply", fourHours, Window{Start: created, End: sh(2026, 11, 23, 12, 0)}, sh(2026, 11, 23, 11, 0),
			OnTrack, time.Hour, time.Hour, sh(2026, 11, 23, 14, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.target.Evaluate(s, tt.w, tt.now)
			if got.State != tt.want {
				t.Errorf("State = %q, want %q", got.State, tt.want)
			}
			if got.Used != tt.used {
				t.Errorf("Used = %v, want %v", got.Used, tt.used)
			}
			if got.Calendar != tt.calendar {
				t.Errorf("Calendar = %v, want %v", got.Calendar, tt.calendar)
			}
			if !got.Due.Equal(tt.due) {
				t.Errorf("Due = %v, want %v", got.Due, tt.due)
			}
			if got.Paused != tt.paused {
				t.Errorf("Paused = %v, want %v", got.Paused, tt.paused)
			}
			if tt.target.Duration > 0 && got.Left != tt.target.Duration-got.Used {
				t.Errorf("Left = %v, want %v", got.Left, tt.target.Duration-got.Used)
			}
		})
	}
}

func TestTargetValidate(t *testing.T) {
	good := []Target{{}, BusinessHours(4), CalendarHours(1), {Duration: MaxTarget, Basis: BusinessTime}}
	for _, tg := range good {
		if err := tg.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", tg, err)
		}
	}
	bad := []Target{{Duration: -time.Hour, Basis: BusinessTime}, {Duration: MaxTarget + 1, Basis: CalendarTime}, {Duration: time.Hour, Basis: "weekly"}}
	for _, tg := range bad {
		if err := tg.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", tg)
		}
	}
}

func TestDefaultPolicies(t *testing.T) {
	s := defaultSchedule(t)
	ps := DefaultPolicies(s)
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			t.Errorf("default policy invalid: %v", err)
		}
	}
	tests := []struct {
		category string
		priority Priority
		first    Target
	}{
		{CategoryGettingStarted, Normal, Target{hm(8, 30), BusinessTime}},
		{CategoryGoSDK, High, Target{hm(8, 30), BusinessTime}},
		{CategoryJavaScriptSDK, Urgent, Target{hm(8, 30), BusinessTime}},
		{CategorySandbox, Normal, Target{hm(8, 30), BusinessTime}},
		{CategoryProduction, Normal, Target{4 * time.Hour, BusinessTime}},
		{CategoryProduction, High, Target{4 * time.Hour, BusinessTime}},
		{CategoryProduction, Urgent, Target{time.Hour, CalendarTime}},
		{CategoryAnnouncements, Normal, Target{}},
		{"a-new-category", Normal, Target{hm(8, 30), BusinessTime}},
		{"a-new-category", Urgent, Target{hm(8, 30), BusinessTime}},
	}
	for _, tt := range tests {
		p, ok := FindPolicy(ps, tt.category, tt.priority)
		if !ok && tt.category != "a-new-category" {
			t.Errorf("FindPolicy(%s, %s): not found", tt.category, tt.priority)
		}
		if p.FirstResponse != tt.first || p.NextResponse != tt.first {
			t.Errorf("%s/%s: first %+v next %+v, want %+v", tt.category, tt.priority, p.FirstResponse, p.NextResponse, tt.first)
		}
	}
}

func TestFindPolicyFallback(t *testing.T) {
	ps := []Policy{{Category: "go-sdk", Priority: Normal, FirstResponse: BusinessHours(8)}}
	p, ok := FindPolicy(ps, "go-sdk", Urgent)
	if !ok || p.FirstResponse != BusinessHours(8) || p.Priority != Urgent {
		t.Errorf("fallback to normal: got %+v, %v", p, ok)
	}
	p, ok = FindPolicy(ps, "unknown", Normal)
	if ok || !p.FirstResponse.IsZero() {
		t.Errorf("unknown category without a default: got %+v, %v; want no targets, false", p, ok)
	}
	ps = append(ps, Policy{Category: DefaultCategory, Priority: Normal, FirstResponse: BusinessHours(6), NextResponse: BusinessHours(3)})
	p, ok = FindPolicy(ps, "new-category", High)
	if ok || p.FirstResponse != BusinessHours(6) || p.NextResponse != BusinessHours(3) || p.Category != "new-category" || p.Priority != High {
		t.Errorf("unknown category: got %+v, %v; want the default policy's targets, false", p, ok)
	}
}

func TestPolicyValidate(t *testing.T) {
	bad := []Policy{
		{Category: "", Priority: Normal},
		{Category: "go-sdk", Priority: "asap"},
		{Category: "go-sdk", Priority: Normal, FirstResponse: Target{Duration: -1, Basis: BusinessTime}},
		{Category: "go-sdk", Priority: Normal, NextResponse: Target{Duration: time.Hour}},
	}
	for _, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
}

// TestStateAtMatchesEvaluate checks that a store which keeps Due and
// AtRiskAt from one evaluation derives the same state later as a full
// evaluation would, for as long as no new event happens.
func TestStateAtMatchesEvaluate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range propertySchedules(t) {
		for range 2000 {
			start := randTime(r, false)
			var pauses []Pause
			if r.IntN(2) == 0 {
				f := start.Add(time.Duration(r.Int64N(int64(48 * time.Hour))))
				pauses = append(pauses, Pause{From: f, To: f.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))})
			}
			target := Target{Duration: time.Duration(r.Int64N(int64(20*time.Hour))) + 1, Basis: BusinessTime}
			if r.IntN(3) == 0 {
				target.Basis = CalendarTime
			}
			w := Window{Start: start, Pauses: pauses}
			now := start.Add(time.Duration(r.Int64N(int64(5 * 24 * time.Hour))))
			if len(pauses) > 0 && now.Before(pauses[0].To) {
				now = pauses[0].To // StateAt is for a running clock
			}
			first := target.Evaluate(s, w, now)
			later := now.Add(time.Duration(r.Int64N(int64(7 * 24 * time.Hour))))
			if got, want := first.StateAt(later), target.Evaluate(s, w, later).State; got != want {
				t.Fatalf("%s: StateAt(%v) = %s, Evaluate says %s (start %v, target %+v, due %v, at risk %v)",
					s.Name(), later, got, want, start, target, first.Due, first.AtRiskAt)
			}
		}
	}
}
