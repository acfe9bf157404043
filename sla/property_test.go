package sla

import (
	"math/rand/v2"
	"testing"
	"time"
)

// propertySchedules are schedules with different shapes: China's calendar,
// a zone with daylight saving and a lunch break, and 24/7 in a DST zone.
func propertySchedules(t *testing.T) []*Schedule {
	t.Helper()
	lunch := ScheduleConfig{Name: "ny-lunch", Location: newYork,
		Holidays:      []Date{{2024, 7, 4}, {2024, 11, 28}, {2025, 1, 1}},
		ExtraWorkdays: []Date{{2024, 3, 10}, {2024, 11, 3}, {2025, 3, 9}}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		lunch.Weekly[wd] = []Hours{{hm(8, 30), 12 * time.Hour}, {13 * time.Hour, hm(17, 45)}}
	}
	lunch.Weekly[time.Saturday] = []Hours{{hm(1, 15), hm(2, 45)}} // straddles both DST changes' hour
	ny, err := NewSchedule(lunch)
	if err != nil {
		t.Fatal(err)
	}
	allDay := ScheduleConfig{Name: "ny-24x7", Location: newYork, Holidays: []Date{{2024, 12, 25}}}
	for wd := range 7 {
		allDay.Weekly[wd] = []Hours{{0, 24 * time.Hour}}
	}
	all, err := NewSchedule(allDay)
	if err != nil {
		t.Fatal(err)
	}
	return []*Schedule{defaultSchedule(t), ny, all, TwentyFourSeven()}
}

// randTime returns an instant between 2024-01-01 and 2027-01-01 UTC, on a
// whole minute when minutes is true.
func randTime(r *rand.Rand, minutes bool) time.Time {
	lo := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hi := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	ns := lo + r.Int64N(hi-lo)
	if minutes {
		ns -= ns % int64(time.Minute)
	}
	return time.Unix(0, ns)
}

// bruteForce counts business time minute by minute using only the time
// package and the configuration: the oracle the fast arithmetic must match.
// a and b must be whole minutes.
func bruteForce(s *Schedule, a, b time.Time) time.Duration {
	cfg := s.Config()
	off, work := map[Date]bool{}, map[Date]bool{}
	for _, d := range cfg.Calendar.Days() {
		if d.Kind == DayOff {
			off[d.Date] = true
		} else {
			work[d.Date] = true
		}
	}
	for _, d := range cfg.Holidays {
		off[d], work[d] = true, false
	}
	for _, d := range cfg.ExtraWorkdays {
		off[d], work[d] = false, true
	}
	extra := cfg.ExtraWorkdayHours
	if extra == nil {
		extra = cfg.Weekly[time.Monday]
	}
	var total time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		lt := t.In(cfg.Location)
		d := DateOf(lt)
		hours := cfg.Weekly[lt.Weekday()]
		switch {
		case work[d]:
			hours = extra
		case off[d]:
			hours = nil
		}
		clock := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute
		for _, h := range hours {
			if clock >= h.From && clock < h.To {
				total += time.Minute
			}
		}
	}
	return total
}

func TestBusinessDurationMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range propertySchedules(t) {
		for range 150 {
			a := randTime(r, true)
			b := a.Add(time.Duration(r.IntN(12*24*60)) * time.Minute)
			if got, want := s.BusinessDuration(a, b), bruteForce(s, a, b); got != want {
				t.Fatalf("%s: BusinessDuration(%v, %v) = %v, brute force %v", s.Name(), a.In(s.Location()), b.In(s.Location()), got, want)
			}
		}
	}
}

func TestBusinessDurationProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range propertySchedules(t) {
		t.Run(s.Name(), func(t *testing.T) {
			for range 3000 {
				a := randTime(r, false)
				b := a.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
				c := b.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
				dab, dbc, dac := s.BusinessDuration(a, b), s.BusinessDuration(b, c), s.BusinessDuration(a, c)
				if dab < 0 || dbc < 0 || dac < 0 {
					t.Fatalf("negative duration: %v %v %v", dab, dbc, dac)
				}
				if dab > b.Sub(a) {
					t.Fatalf("business time %v exceeds elapsed %v", dab, b.Sub(a))
				}
				if dac < dab {
					t.Fatalf("not monotonic: d(a,b)=%v > d(a,c)=%v for a=%v b=%v c=%v", dab, dac, a, b, c)
				}
				if dab+dbc != dac {
					t.Fatalf("not additive: %v + %v != %v for a=%v b=%v c=%v", dab, dbc, dac, a, b, c)
				}
				if got := s.BusinessDuration(b, a); got != 0 {
					t.Fatalf("reversed interval = %v, want 0", got)
				}
				// AddBusiness inverts BusinessDuration.
				if dab > 0 {
					due := s.AddBusiness(a, dab)
					if due.After(b) {
						t.Fatalf("AddBusiness(a, d(a,b)) = %v after b = %v", due, b)
					}
					if got := s.BusinessDuration(a, due); got != dab {
						t.Fatalf("d(a, AddBusiness(a, %v)) = %v", dab, got)
					}
					if got := s.BusinessDuration(due, b); got != 0 {
						t.Fatalf("AddBusiness not the earliest: %v of business time left before b", got)
					}
					if s.BusinessDuration(a, due.Add(-time.Nanosecond)) >= dab {
						t.Fatalf("AddBusiness(a, %v) = %v is not the earliest instant", dab, due)
					}
				}
				d := time.Duration(r.Int64N(int64(100 * time.Hour)))
				if got := s.BusinessDuration(a, s.AddBusiness(a, d)); got != d {
					t.Fatalf("d(a, AddBusiness(a, %v)) = %v for a=%v", d, got, a)
				}
			}
		})
	}
}

func TestPausesMatchDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range propertySchedules(t) {
		t.Run(s.Name(), func(t *testing.T) {
			for range 1000 {
				a := randTime(r, false)
				b := a.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
				var pauses []Pause
				for range r.IntN(4) {
					f := a.Add(time.Duration(r.Int64N(int64(35*24*time.Hour))) - 2*24*time.Hour)
					p := Pause{From: f, To: f.Add(time.Duration(r.Int64N(int64(5 * 24 * time.Hour))))}
					if r.IntN(8) == 0 {
						p.To = time.Time{}
					}
					pauses = append(pauses, p)
				}
				// Definition: business time at instants in [a, b) outside every
				// pause. Split [a, b) at the pause edges and add up the pieces.
				want := sumOutside(s, a, b, pauses)
				if got := s.BusinessDurationExcluding(a, b, pauses); got != want {
					t.Fatalf("BusinessDurationExcluding = %v, want %v (a=%v b=%v pauses=%v)", got, want, a, b, pauses)
				}
				if want > 0 {
					due, ok := s.AddBusinessExcluding(a, want, pauses)
					if !ok {
						t.Fatalf("AddBusinessExcluding(%v) not ok", want)
					}
					if got := s.BusinessDurationExcluding(a, due, pauses); got != want || due.After(b) {
						t.Fatalf("AddBusinessExcluding(a, %v) = %v: counts %v (b=%v)", want, due, got, b)
					}
				}
			}
		})
	}
}

// sumOutside adds the business time of the parts of [a, b) not covered by
// any pause, walking the pause edges one by one.
func sumOutside(s *Schedule, a, b time.Time, pauses []Pause) time.Duration {
	paused := func(t time.Time) bool {
		for _, p := range pauses {
			if !t.Before(p.From) && (p.To.IsZero() || t.Before(p.To)) {
				return true
			}
		}
		return false
	}
	cuts := []time.Time{a, b}
	for _, p := range pauses {
		for _, e := range []time.Time{p.From, p.To} {
			if !e.IsZero() && e.After(a) && e.Before(b) {
				cuts = append(cuts, e)
			}
		}
	}
	sortTimes(cuts)
	var total time.Duration
	for i := 0; i+1 < len(cuts); i++ {
		if cuts[i+1].After(cuts[i]) && !paused(cuts[i]) {
			total += s.BusinessDuration(cuts[i], cuts[i+1])
		}
	}
	return total
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
