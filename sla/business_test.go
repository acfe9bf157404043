package sla

import (
	"testing"
	"time"
)

var (
	shanghai = mustLoc("Asia/Shanghai")
	newYork  = mustLoc("America/New_York")
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// defaultSchedule is the portal's default schedule with the embedded China
// calendar.
func defaultSchedule(t testing.TB) *Schedule {
	t.Helper()
	reg, err := LoadCalendars(EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := DefaultSchedule(reg.Calendar("cn"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sh returns a wall-clock time in Shanghai.
func sh(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai)
}

func ny(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, newYork)
}

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func TestBusinessDurationDefaultSchedule(t *testing.T) {
	s := defaultSchedule(t)
	tests := []struct {
		name       string
		start, end time.Time
		want       time.Duration
	}{
		{"within one day", sh(2026, 11, 23, 10, 0), sh(2026, 11, 23, 12, 15), hm(2, 15)},
		{"created before opening", sh(2026, 11, 23, 7, 0), sh(2026, 11, 23, 10, 0), hm(1, 0)},
		{"created after closing", sh(2026, 11, 23, 20, 0), sh(2026, 11, 24, 10, 0), hm(1, 0)},
		{"entirely outside hours", sh(2026, 11, 23, 18, 0), sh(2026, 11, 24, 8, 59), 0},
		{"a whole working day", sh(2026, 11, 23, 0, 0), sh(2026, 11, 24, 0, 0), hm(8, 30)},
		{"across a weekend", sh(2026, 11, 20, 16, 0), sh(2026, 11, 23, 10, 0), hm(2, 30)},
		{"created on a Saturday", sh(2026, 11, 21, 11, 0), sh(2026, 11, 23, 9, 45), hm(0, 45)},
		{"a plain week", sh(2026, 11, 16, 0, 0), sh(2026, 11, 23, 0, 0), 5 * hm(8, 30)},
		// National Day 2026: 1–7 October off.
		{"across National Day", sh(2026, 9, 30, 17, 0), sh(2026, 10, 8, 10, 0), hm(1, 30)},
		{"on a public holiday", sh(2026, 10, 1, 9, 0), sh(2026, 10, 1, 17, 30), 0},
		{"New Year's Day, a Thursday", sh(2026, 1, 1, 0, 0), sh(2026, 1, 2, 0, 0), 0},
		// Spring Festival 2026: 15–23 February off; Saturdays 14 and 28
		// February are extra working days.
		{"across Spring Festival", sh(2026, 2, 13, 17, 0), sh(2026, 2, 24, 9, 30), hm(0, 30) + hm(8, 30) + hm(0, 30)},
		{"extra working day on a Saturday", sh(2026, 2, 28, 10, 0), sh(2026, 2, 28, 12, 0), hm(2, 0)},
		{"ordinary Saturday", sh(2026, 11, 21, 10, 0), sh(2026, 11, 21, 12, 0), 0},
		{"extra working day on a Sunday", sh(2026, 1, 4, 0, 0), sh(2026, 1, 5, 0, 0), hm(8, 30)},
		{"end before start", sh(2026, 11, 23, 12, 0), sh(2026, 11, 23, 10, 0), 0},
		{"times given in UTC", sh(2026, 11, 23, 10, 0).UTC(), sh(2026, 11, 23, 11, 0).UTC(), hm(1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.BusinessDuration(tt.start, tt.end); got != tt.want {
				t.Errorf("BusinessDuration(%v, %v) = %v, want %v", tt.start, tt.end, got, tt.want)
			}
			if tt.want > 0 {
				if got := s.AddBusiness(tt.start, tt.want); !got.Equal(tt.end) && s.IsWorkingTime(tt.end.Add(-time.Nanosecond)) {
					t.Errorf("AddBusiness(%v, %v) = %v, want %v", tt.start, tt.want, got, tt.end)
				}
			}
		})
	}
}

func TestAddBusinessDefaultSchedule(t *testing.T) {
	s := defaultSchedule(t)
	day := s.BusinessDay()
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"one business day from mid-morning", sh(2026, 11, 23, 10, 0), day, sh(2026, 11, 24, 10, 0)},
		{"ends exactly at closing", sh(2026, 11, 23, 9, 0), day, sh(2026, 11, 23, 17, 30)},
		{"created at night starts next opening", sh(2026, 11, 23, 22, 0), hm(1, 0), sh(2026, 11, 24, 10, 0)},
		{"Friday afternoon to Monday", sh(2026, 11, 20, 16, 0), hm(4, 0), sh(2026, 11, 23, 11, 30)},
		{"over National Day", sh(2026, 9, 30, 17, 0), hm(1, 0), sh(2026, 10, 8, 9, 30)},
		{"onto the Saturday extra working day", sh(2026, 2, 13, 17, 0), hm(1, 0), sh(2026, 2, 14, 9, 30)},
		{"zero duration is the start", sh(2026, 11, 21, 3, 0), 0, sh(2026, 11, 21, 3, 0)},
		{"four business hours", sh(2026, 11, 23, 15, 0), 4 * time.Hour, sh(2026, 11, 24, 10, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.AddBusiness(tt.start, tt.d); !got.Equal(tt.want) {
				t.Errorf("AddBusiness(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want)
			}
		})
	}
	if got := s.AddBusiness(sh(2026, 11, 23, 10, 0), time.Hour).Location(); got != shanghai {
		t.Errorf("AddBusiness result location = %v, want the start's", got)
	}
}

// nySchedule works 09:00–17:00 every day in New York, so that the DST days
// (both Sundays) have hours.
func nySchedule(t testing.TB) *Schedule {
	t.Helper()
	cfg := ScheduleConfig{Name: "ny", Location: newYork}
	for wd := range 7 {
		cfg.Weekly[wd] = []Hours{{9 * time.Hour, 17 * time.Hour}}
	}
	s, err := NewSchedule(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDaylightSaving(t *testing.T) {
	s := nySchedule(t)
	// Office hours Monday to Friday, with the Sunday of each change made an
	// extra working day: the calendar path must be just as exact.
	cfg := ScheduleConfig{Name: "ny-office", Location: newYork,
		ExtraWorkdays: []Date{{2024, 3, 10}, {2024, 11, 3}}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		cfg.Weekly[wd] = []Hours{{9 * time.Hour, 17 * time.Hour}}
	}
	office, err := NewSchedule(cfg)
	if err != nil {
		t.Fatal(err)
	}
	allDay := ScheduleConfig{Name: "ny-24x7", Location: newYork}
	for wd := range 7 {
		allDay.Weekly[wd] = []Hours{{0, 24 * time.Hour}}
	}
	nyAllDay, err := NewSchedule(allDay)
	if err != nil {
		t.Fatal(err)
	}

	for _, sched := range []*Schedule{s, office} {
		for _, tc := range []struct {
			name     string
			midnight time.Time
			nine     time.Time // 09:00 local, as a UTC instant
		}{
			{"spring forward 2024-03-10", ny(2024, 3, 10, 0, 0), time.Date(2024, 3, 10, 13, 0, 0, 0, time.UTC)},
			{"fall back 2024-11-03", ny(2024, 11, 3, 0, 0), time.Date(2024, 11, 3, 14, 0, 0, 0, time.UTC)},
		} {
			t.Run(sched.Name()+"/"+tc.name, func(t *testing.T) {
				next := tc.midnight.AddDate(0, 0, 1)
				if got := sched.BusinessDuration(tc.midnight, next); got != 8*time.Hour {
					t.Errorf("business time of the day = %v, want 8h", got)
				}
				if got := sched.AddBusiness(tc.midnight, time.Nanosecond); !got.Equal(tc.nine.Add(time.Nanosecond)) {
					t.Errorf("day starts at %v, want %v (09:00 local)", got.Add(-time.Nanosecond).In(newYork), tc.nine.In(newYork))
				}
				if sched.IsWorkingTime(tc.nine.Add(-time.Nanosecond)) || !sched.IsWorkingTime(tc.nine) {
					t.Errorf("working time should begin exactly at %v", tc.nine.In(newYork))
				}
				if got, want := sched.AddBusiness(tc.midnight, 8*time.Hour), tc.nine.Add(8*time.Hour); !got.Equal(want) {
					t.Errorf("AddBusiness(midnight, 8h) = %v, want %v (17:00 local)", got.In(newYork), want.In(newYork))
				}
				if got := sched.BusinessDuration(tc.midnight, tc.nine.Add(time.Hour)); got != time.Hour {
					t.Errorf("midnight to 10:00 = %v, want 1h", got)
				}
			})
		}
	}
	t.Run("24/7 in New York", func(t *testing.T) {
		if got := nyAllDay.BusinessDuration(ny(2024, 3, 10, 0, 0), ny(2024, 3, 11, 0, 0)); got != 23*time.Hour {
			t.Errorf("spring-forward day = %v, want 23h", got)
		}
		if got := nyAllDay.BusinessDuration(ny(2024, 11, 3, 0, 0), ny(2024, 11, 4, 0, 0)); got != 25*time.Hour {
			t.Errorf("fall-back day = %v, want 25h", got)
		}
		start := ny(2024, 11, 2, 12, 0)
		if got, want := nyAllDay.AddBusiness(start, 36*time.Hour), start.Add(36*time.Hour); !got.Equal(want) {
			t.Errorf("AddBusiness over fall back = %v, want %v", got, want)
		}
	})
	t.Run("hours inside the repeated hour", func(t *testing.T) {
		// 01:00–03:00 on 3 November 2024 lasts three real hours: 01:00–02:00
		// happens twice.
		cfg := ScheduleConfig{Name: "night", Location: newYork}
		cfg.Weekly[time.Sunday] = []Hours{{time.Hour, 3 * time.Hour}}
		night, err := NewSchedule(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := night.BusinessDuration(ny(2024, 11, 3, 0, 0), ny(2024, 11, 4, 0, 0)); got != 3*time.Hour {
			t.Errorf("fall back 01:00–03:00 = %v, want 3h", got)
		}
		if got := night.BusinessDuration(ny(2024, 3, 10, 0, 0), ny(2024, 3, 11, 0, 0)); got != time.Hour {
			t.Errorf("spring forward 01:00–03:00 = %v, want 1h (02:00–03:00 does not exist)", got)
		}
	})
}

func TestTwentyFourSeven(t *testing.T) {
	s := TwentyFourSeven()
	start := sh(2026, 10, 1, 3, 17)
	for _, d := range []time.Duration{time.Nanosecond, time.Hour, 50 * time.Hour, 40 * 24 * time.Hour} {
		end := start.Add(d)
		if got := s.BusinessDuration(start, end); got != d {
			t.Errorf("BusinessDuration over %v = %v", d, got)
		}
		if got := s.AddBusiness(start, d); !got.Equal(end) {
			t.Errorf("AddBusiness(%v) = %v, want %v", d, got, end)
		}
	}
	if s.BusinessDay() != 24*time.Hour {
		t.Errorf("BusinessDay = %v, want 24h", s.BusinessDay())
	}
}

func TestExtremeTimes(t *testing.T) {
	s := defaultSchedule(t)
	var zero time.Time
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := s.BusinessDuration(zero, sh(1900, 1, 1, 0, 0)); got != 0 {
		t.Errorf("before 1900 = %v, want 0", got)
	}
	if got := s.AddBusiness(sh(2199, 12, 31, 9, 0), 1000*time.Hour); !got.Equal(maxInstant) {
		t.Errorf("AddBusiness past 2200 = %v, want %v", got, maxInstant)
	}
	if got := s.BusinessDuration(sh(2199, 12, 31, 0, 0), far); got != hm(8, 30) {
		t.Errorf("last supported day = %v, want 8h30m", got)
	}
}

func TestMissingYears(t *testing.T) {
	s := defaultSchedule(t)
	if got := s.MissingYears(sh(2027, 12, 1, 0, 0), sh(2028, 2, 1, 0, 0)); len(got) != 1 || got[0] != 2028 {
		t.Errorf("MissingYears = %v, want [2028]", got)
	}
	if got := s.MissingYears(sh(2025, 1, 1, 0, 0), sh(2027, 12, 31, 0, 0)); len(got) != 0 {
		t.Errorf("MissingYears = %v, want none", got)
	}
	if got := TwentyFourSeven().MissingYears(sh(2030, 1, 1, 0, 0), sh(2031, 1, 1, 0, 0)); got != nil {
		t.Errorf("24/7 MissingYears = %v, want nil", got)
	}
}

func TestNewScheduleErrors(t *testing.T) {
	var empty ScheduleConfig
	overlap := ScheduleConfig{}
	overlap.Weekly[time.Monday] = []Hours{{9 * time.Hour, 12 * time.Hour}, {11 * time.Hour, 13 * time.Hour}}
	backwards := ScheduleConfig{}
	backwards.Weekly[time.Monday] = []Hours{{12 * time.Hour, 9 * time.Hour}}
	late := ScheduleConfig{}
	late.Weekly[time.Monday] = []Hours{{9 * time.Hour, 25 * time.Hour}}
	for name, cfg := range map[string]ScheduleConfig{"no hours": empty, "overlap": overlap, "backwards": backwards, "past midnight": late} {
		if _, err := NewSchedule(cfg); err == nil {
			t.Errorf("%s: NewSchedule succeeded, want an error", name)
		}
	}
}

func TestParseHours(t *testing.T) {
	for in, want := range map[string]Hours{
		"09:00-17:30":   {9 * time.Hour, hm(17, 30)},
		"00:00 - 24:00": {0, 24 * time.Hour},
	} {
		got, err := ParseHours(in)
		if err != nil || got != want {
			t.Errorf("ParseHours(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "9-17", "17:00-09:00", "09:00-24:30", "25:00-26:00", "09:60-10:00", "x9:00-10:00"} {
		if _, err := ParseHours(in); err == nil {
			t.Errorf("ParseHours(%q) succeeded, want an error", in)
		}
	}
	if got := (Hours{9 * time.Hour, hm(17, 30)}).String(); got != "09:00-17:30" {
		t.Errorf("String = %q", got)
	}
}

// TestConcurrentUse shares one schedule between goroutines, as the forum
// does; run with -race.
func TestConcurrentUse(t *testing.T) {
	s := defaultSchedule(t)
	done := make(chan time.Duration)
	for g := range 4 {
		go func() {
			var sum time.Duration
			for i := range 200 {
				a := sh(2026, 9, 1+g, 8, i%60)
				sum += s.BusinessDuration(a, s.AddBusiness(a, time.Duration(i)*time.Minute))
			}
			done <- sum
		}()
	}
	var want time.Duration
	for i := range 200 {
		want += time.Duration(i) * time.Minute
	}
	for range 4 {
		if got := <-done; got != want {
			t.Errorf("goroutine sum = %v, want %v", got, want)
		}
	}
}
