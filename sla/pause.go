package sla

import (
	"math"
	"slices"
	"time"
)

// MaxPauses is the most pauses a computation looks at; the rest are ignored.
// A topic is paused each time staff wait for the asker, so real topics have
// a handful.
const MaxPauses = 1000

// Pause is a time the clock stood still, [From, To): for example while staff
// waited for the asker. A zero To means the pause has not ended.
type Pause struct {
	From time.Time
	To   time.Time
}

// pauseNs is a pause in clamped nanoseconds; to is math.MaxInt64 when open.
type pauseNs struct{ from, to int64 }

// normalize clips pauses to [a, b), sorts them and merges overlaps. It only
// allocates when there are pauses.
func normalize(pauses []Pause, a, b int64) []pauseNs {
	if len(pauses) == 0 {
		return nil
	}
	if len(pauses) > MaxPauses {
		pauses = pauses[:MaxPauses]
	}
	ps := make([]pauseNs, 0, len(pauses))
	for _, p := range pauses {
		f, t := clampNs(p.From), int64(math.MaxInt64)
		if !p.To.IsZero() {
			t = clampNs(p.To)
		}
		f, t = max(f, a), min(t, b)
		if t > f {
			ps = append(ps, pauseNs{f, t})
		}
	}
	slices.SortFunc(ps, func(x, y pauseNs) int { return cmpInt64(x.from, y.from) })
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && p.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, p.to)
			continue
		}
		out = append(out, p)
	}
	return out
}

// BusinessDurationExcluding is BusinessDuration(start, end) less the
// business time inside pauses. Pauses may overlap, be unsorted or reach
// outside [start, end); an open pause (zero To) runs to end.
func (s *Schedule) BusinessDurationExcluding(start, end time.Time, pauses []Pause) time.Duration {
	if !end.After(start) {
		return 0
	}
	a, b := clampNs(start), clampNs(end)
	return time.Duration(s.measureExcluding(a, b, normalize(pauses, a, b)))
}

// measure is business time in [a, b) on clamped instants.
func (s *Schedule) measure(a, b int64) int64 {
	if s.alwaysOpen {
		return max(b-a, 0)
	}
	return s.business(a, b)
}

// measureExcluding is measure less the parts of normalized pauses ps
// inside [a, b).
func (s *Schedule) measureExcluding(a, b int64, ps []pauseNs) int64 {
	total := s.measure(a, b)
	for _, p := range ps {
		if f, t := max(p.from, a), min(p.to, b); t > f {
			total -= s.measure(f, t)
		}
	}
	return max(total, 0)
}

// AddBusinessExcluding returns the earliest instant at which d of business
// time has run since start, not counting pauses. ok is false when an open
// pause stops the clock before d has run: the due time is then unknown.
func (s *Schedule) AddBusinessExcluding(start time.Time, d time.Duration, pauses []Pause) (due time.Time, ok bool) {
	if d <= 0 {
		return start, true
	}
	a := clampNs(start)
	ns, ok := s.addExcluding(a, int64(d), normalize(pauses, a, math.MaxInt64))
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, ns).In(start.Location()), true
}

// addExcluding is AddBusinessExcluding on instants, with pauses normalized
// from a on; rem > 0.
func (s *Schedule) addExcluding(a, rem int64, ps []pauseNs) (int64, bool) {
	for _, p := range ps {
		if p.to <= a {
			continue
		}
		if until := s.measure(a, max(p.from, a)); until >= rem {
			break
		} else {
			rem -= until
		}
		if p.to == math.MaxInt64 {
			return 0, false
		}
		a = p.to
	}
	if s.alwaysOpen {
		return min(a+rem, maxNs), true
	}
	return s.addBusiness(a, rem), true
}

// CalendarDuration returns the elapsed time in [start, end) less the time
// inside pauses: business time on a 24/7 schedule.
func CalendarDuration(start, end time.Time, pauses []Pause) time.Duration {
	return twentyFourSeven.BusinessDurationExcluding(start, end, pauses)
}

// AddCalendar is AddBusinessExcluding on a 24/7 schedule.
func AddCalendar(start time.Time, d time.Duration, pauses []Pause) (time.Time, bool) {
	return twentyFourSeven.AddBusinessExcluding(start, d, pauses)
}

var twentyFourSeven = TwentyFourSeven()
