package sla

import (
	"testing"
	"time"
)

// Benchmarks for the calls the forum makes for each of 100,000 topics.
// Run: go test ./sla -run '^$' -bench . -benchtime 1s

var (
	sinkDuration time.Duration
	sinkTime     time.Time
	sinkStatus   Status
)

func BenchmarkBusinessDuration(b *testing.B) {
	for _, tc := range []struct {
		name  string
		sched func(testing.TB) *Schedule
		start time.Time
		span  time.Duration
	}{
		// Across National Day and Mid-Autumn 2026: holidays and 调休 days.
		{"default/30d-over-holidays", defaultSchedule, sh(2026, 9, 15, 10, 0), 30 * 24 * time.Hour},
		{"default/3d", defaultSchedule, sh(2026, 11, 20, 16, 0), 3 * 24 * time.Hour},
		{"default/1h", defaultSchedule, sh(2026, 11, 23, 10, 0), time.Hour},
		{"default/365d", defaultSchedule, sh(2026, 1, 1, 0, 0), 365 * 24 * time.Hour},
		// Across the March 2024 change to daylight saving.
		{"new-york/30d-over-DST", nySchedule, ny(2024, 2, 25, 10, 0), 30 * 24 * time.Hour},
		{"24x7/30d", func(testing.TB) *Schedule { return TwentyFourSeven() }, sh(2026, 9, 15, 10, 0), 30 * 24 * time.Hour},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.sched(b)
			end := tc.start.Add(tc.span)
			for b.Loop() {
				sinkDuration = s.BusinessDuration(tc.start, end)
			}
		})
	}
}

func BenchmarkAddBusiness(b *testing.B) {
	s := defaultSchedule(b)
	for _, tc := range []struct {
		name string
		d    time.Duration
	}{
		{"4h", 4 * time.Hour},
		{"1-business-day", s.BusinessDay()},
		{"20-business-days", 20 * s.BusinessDay()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			start := sh(2026, 9, 28, 16, 0) // just before National Day
			for b.Loop() {
				sinkTime = s.AddBusiness(start, tc.d)
			}
		})
	}
}

// BenchmarkEvaluate is one topic's full status: business and calendar
// durations, due time and state, with two pauses.
func BenchmarkEvaluate(b *testing.B) {
	s := defaultSchedule(b)
	w := Window{Start: sh(2026, 9, 15, 10, 0), Pauses: []Pause{
		{From: sh(2026, 9, 16, 11, 0), To: sh(2026, 9, 18, 9, 0)},
		{From: sh(2026, 9, 22, 15, 0), To: sh(2026, 9, 23, 10, 0)},
	}}
	now := sh(2026, 10, 15, 10, 0)
	t := BusinessHours(40)
	for b.Loop() {
		sinkStatus = t.Evaluate(s, w, now)
	}
}
