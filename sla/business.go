package sla

import (
	"math"
	"slices"
	"time"
)

// The arithmetic supports instants from 1900 to 2200; earlier or later
// instants are clamped to those bounds. Keeping everything in int64
// nanoseconds makes the methods exact and allocation-free.
const (
	minYear = 1900
	maxYear = 2200
)

var (
	minInstant = time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	maxInstant = time.Date(maxYear, 1, 1, 0, 0, 0, 0, time.UTC)
	minNs      = minInstant.UnixNano()
	maxNs      = maxInstant.UnixNano()
)

const dayNs = int64(day)

func clampNs(t time.Time) int64 {
	switch {
	case t.Before(minInstant):
		return minNs
	case t.After(maxInstant):
		return maxNs
	}
	return t.UnixNano()
}

// zoneTable lists the instants in the supported range where loc's UTC
// offset changes, with the offset from each. Arithmetic then splits an
// interval at these instants and works on the wall clock in between.
func zoneTable(loc *time.Location) (starts, offs []int64) {
	t := minInstant
	for {
		lt := t.In(loc)
		_, off := lt.Zone()
		o := int64(off) * int64(time.Second)
		if n := len(offs); n == 0 || offs[n-1] != o {
			starts = append(starts, t.UnixNano())
			offs = append(offs, o)
		}
		_, end := lt.ZoneBounds()
		if end.IsZero() || !end.After(t) || !end.Before(maxInstant) {
			break
		}
		t = end
	}
	starts[0] = math.MinInt64 // the first offset also holds before minInstant
	return starts, offs
}

// zoneAt returns the UTC offset at instant a and the instant its period
// ends (math.MaxInt64 when it never does).
func (s *Schedule) zoneAt(a int64) (off, end int64) {
	i, found := slices.BinarySearch(s.zoneStarts, a)
	if !found {
		i--
	}
	end = math.MaxInt64
	if i+1 < len(s.zoneStarts) {
		end = s.zoneStarts[i+1]
	}
	return s.zoneOffs[i], end
}

// BusinessDuration returns the business time in [start, end): the measure
// of the instants at which the schedule's zone shows a working date and a
// clock time inside that date's working hours. It is zero when end is not
// after start. Daylight-saving changes are exact: a 09:00–17:00 day counts
// 8 h even on the day the clocks change.
func (s *Schedule) BusinessDuration(start, end time.Time) time.Duration {
	if !end.After(start) {
		return 0
	}
	if s.alwaysOpen {
		return time.Duration(clampNs(end) - clampNs(start))
	}
	return time.Duration(s.business(clampNs(start), clampNs(end)))
}

// business is BusinessDuration on clamped nanosecond instants.
func (s *Schedule) business(a, b int64) int64 {
	var total int64
	for a < b {
		off, pend := s.zoneAt(a)
		e := min(b, pend)
		total += s.businessWall(a+off, e+off)
		a = e
	}
	return total
}

// businessWall returns the working time in the wall-clock range [ws, we),
// in nanoseconds since 1970-01-01 00:00 local. It walks day by day and skips
// whole weeks that no holiday touches.
func (s *Schedule) businessWall(ws, we int64) int64 {
	if we <= ws {
		return 0
	}
	first := floorDiv(ws, dayNs)
	last := floorDiv(we-1, dayNs)
	oi := s.firstOverride(first)
	var total int64
	for n := first; n <= last; n++ {
		if n > first && n+7 <= last && (oi >= len(s.overrides) || s.overrides[oi].day >= n+7) {
			weeks := (last - n) / 7
			if oi < len(s.overrides) {
				weeks = min(weeks, (s.overrides[oi].day-n)/7)
			}
			total += weeks * s.weekSum
			n += weeks*7 - 1
			continue
		}
		hours, dayTotal := s.dayHours(n, &oi)
		base := n * dayNs
		lo, hi := max(ws-base, 0), min(we-base, dayNs)
		if lo == 0 && hi == dayNs {
			total += dayTotal
			continue
		}
		for _, h := range hours {
			if f, t := max(h.from, lo), min(h.to, hi); t > f {
				total += t - f
			}
		}
	}
	return total
}

// AddBusiness returns the due time of d of business time from start: the
// earliest instant t with BusinessDuration(start, t) == d. It returns start
// when d <= 0. When the business time ends at a closing hour, t is that
// closing instant, not the next opening. The result is in start's location.
func (s *Schedule) AddBusiness(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	a := clampNs(start)
	var ns int64
	switch {
	case !s.alwaysOpen:
		ns = s.addBusiness(a, int64(d))
	case int64(d) >= maxNs-a:
		ns = maxNs
	default:
		ns = a + int64(d)
	}
	return time.Unix(0, ns).In(start.Location())
}

// addBusiness is AddBusiness on nanosecond instants; rem > 0.
func (s *Schedule) addBusiness(a, rem int64) int64 {
	for a < maxNs {
		off, pend := s.zoneAt(a)
		e := min(pend, maxNs)
		w, left := s.addWall(a+off, e+off, rem)
		if left == 0 {
			return w - off
		}
		rem, a = left, e
	}
	return maxNs
}

// addWall consumes up to rem of working time from wall-clock ws, not going
// past we. It returns the wall time at which rem ran out, or we and what is
// left when it did not.
func (s *Schedule) addWall(ws, we, rem int64) (int64, int64) {
	if we <= ws {
		return we, rem
	}
	first := floorDiv(ws, dayNs)
	last := floorDiv(we-1, dayNs)
	oi := s.firstOverride(first)
	for n := first; n <= last; n++ {
		if n > first && n+7 <= last && rem > s.weekSum && (oi >= len(s.overrides) || s.overrides[oi].day >= n+7) {
			weeks := min((last-n)/7, (rem-1)/s.weekSum)
			if oi < len(s.overrides) {
				weeks = min(weeks, (s.overrides[oi].day-n)/7)
			}
			rem -= weeks * s.weekSum
			n += weeks*7 - 1
			continue
		}
		hours, _ := s.dayHours(n, &oi)
		base := n * dayNs
		lo, hi := max(ws-base, 0), min(we-base, dayNs)
		for _, h := range hours {
			f, t := max(h.from, lo), min(h.to, hi)
			if t <= f {
				continue
			}
			if t-f >= rem {
				return base + f + rem, 0
			}
			rem -= t - f
		}
	}
	return we, rem
}

// IsWorkingTime reports whether t is inside the schedule's working hours.
func (s *Schedule) IsWorkingTime(t time.Time) bool {
	a := clampNs(t)
	return s.business(a, a+1) == 1
}
