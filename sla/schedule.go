package sla

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // schedules name zones such as Asia/Shanghai; hosts may lack zoneinfo
)

// Limits on a schedule.
const (
	MaxHoursPerDay   = 16   // working intervals in one day
	MaxScheduleDates = 1000 // extra holidays plus extra working days in a config
)

const day = 24 * time.Hour

// Hours is one interval of working time in a day, [From, To), as wall-clock
// offsets from local midnight: {9 * time.Hour, 17*time.Hour + 30*time.Minute}
// is 09:00–17:30. To may be 24 h, the end of the day; intervals never cross
// midnight.
type Hours struct {
	From time.Duration `json:"from"`
	To   time.Duration `json:"to"`
}

// ParseHours parses "09:00-17:30" (24:00 allowed as an end).
func ParseHours(s string) (Hours, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	f, err1 := parseClock(strings.TrimSpace(from))
	t, err2 := parseClock(strings.TrimSpace(to))
	if err1 != nil || err2 != nil {
		return Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	h := Hours{f, t}
	if err := h.validate(); err != nil {
		return Hours{}, err
	}
	return h, nil
}

func parseClock(s string) (time.Duration, error) {
	var hh, mm int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("clock %q", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &hh, &mm); err != nil || hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("clock %q", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// String formats h as "09:00-17:30".
func (h Hours) String() string {
	c := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return c(h.From) + "-" + c(h.To)
}

func (h Hours) validate() error {
	if h.From < 0 || h.To > day || h.From >= h.To {
		return fmt.Errorf("hours %v: want 00:00 <= from < to <= 24:00", h)
	}
	return nil
}

// ScheduleConfig describes a schedule as an admin would: a zone, weekly
// hours, and dates off and on. The zero value of each field has a default.
type ScheduleConfig struct {
	// Name identifies the schedule, for example "cn-office".
	Name string
	// Location is the zone whose wall clock the hours are read in; nil is UTC.
	Location *time.Location
	// Weekly holds the working hours of each weekday, indexed by
	// time.Weekday. At least one weekday must have hours.
	Weekly [7][]Hours
	// ExtraWorkdayHours are worked on an extra working day (调休), whatever
	// its weekday. Nil means Monday's hours.
	ExtraWorkdayHours []Hours
	// Calendar supplies public holidays and extra working days; nil has none.
	Calendar *Calendar
	// Holidays and ExtraWorkdays add dates of the organisation's own. They
	// win over the calendar when both name a date.
	Holidays      []Date
	ExtraWorkdays []Date
}

// Schedule is a compiled ScheduleConfig. It is immutable and safe for
// concurrent use; the arithmetic methods do not allocate.
type Schedule struct {
	cfg        ScheduleConfig
	loc        *time.Location
	week       [7][]span
	weekTotal  [7]int64
	weekSum    int64
	extra      []span
	extraTotal int64
	overrides  []override // sorted by day
	alwaysOpen bool       // every instant is working time: elapsed time
	zoneStarts []int64    // instants (ns) where the zone's offset changes
	zoneOffs   []int64    // offset (ns) in effect from zoneStarts[i]
}

// span is [from, to) in nanoseconds from local midnight.
type span struct{ from, to int64 }

// override is a calendar date that is off, or an extra working day.
type override struct {
	day  int64 // days from 1970-01-01
	work bool
}

// NewSchedule validates and compiles cfg.
func NewSchedule(cfg ScheduleConfig) (*Schedule, error) {
	s := &Schedule{loc: cfg.Location}
	if s.loc == nil {
		s.loc = time.UTC
	}
	for wd := range 7 {
		sp, total, err := compileHours(cfg.Weekly[wd])
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %v: %w", cfg.Name, time.Weekday(wd), err)
		}
		s.week[wd], s.weekTotal[wd] = sp, total
		s.weekSum += total
	}
	if s.weekSum == 0 {
		return nil, fmt.Errorf("schedule %q: no working hours in the week", cfg.Name)
	}
	extra := cfg.ExtraWorkdayHours
	if extra == nil {
		extra = cfg.Weekly[time.Monday]
	}
	sp, total, err := compileHours(extra)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: extra working day: %w", cfg.Name, err)
	}
	s.extra, s.extraTotal = sp, total
	if len(cfg.Holidays)+len(cfg.ExtraWorkdays) > MaxScheduleDates {
		return nil, fmt.Errorf("schedule %q: more than %d holidays and extra working days", cfg.Name, MaxScheduleDates)
	}

	byDay := map[int64]bool{}
	for _, d := range cfg.Calendar.Days() {
		byDay[d.Date.days()] = d.Kind == DayWork
	}
	for _, d := range cfg.Holidays {
		byDay[d.days()] = false
	}
	for _, d := range cfg.ExtraWorkdays {
		byDay[d.days()] = true
	}
	for n, work := range byDay {
		s.overrides = append(s.overrides, override{n, work})
	}
	slices.SortFunc(s.overrides, func(a, b override) int { return cmpInt64(a.day, b.day) })

	s.alwaysOpen = s.weekSum == 7*int64(day)
	for _, o := range s.overrides {
		if !o.work || s.extraTotal != int64(day) {
			s.alwaysOpen = false
		}
	}
	s.zoneStarts, s.zoneOffs = zoneTable(s.loc)

	// Keep a private copy so that later edits to the caller's slices
	// cannot make Config disagree with the compiled schedule.
	s.cfg = cfg
	s.cfg.Location = s.loc
	for wd := range 7 {
		s.cfg.Weekly[wd] = slices.Clone(cfg.Weekly[wd])
	}
	s.cfg.ExtraWorkdayHours = slices.Clone(cfg.ExtraWorkdayHours)
	s.cfg.Holidays = slices.Clone(cfg.Holidays)
	s.cfg.ExtraWorkdays = slices.Clone(cfg.ExtraWorkdays)
	return s, nil
}

func compileHours(hs []Hours) ([]span, int64, error) {
	if len(hs) > MaxHoursPerDay {
		return nil, 0, fmt.Errorf("more than %d intervals", MaxHoursPerDay)
	}
	sp := make([]span, 0, len(hs))
	for _, h := range hs {
		if err := h.validate(); err != nil {
			return nil, 0, err
		}
		sp = append(sp, span{int64(h.From), int64(h.To)})
	}
	slices.SortFunc(sp, func(a, b span) int { return cmpInt64(a.from, b.from) })
	var total int64
	for i, x := range sp {
		if i > 0 && x.from < sp[i-1].to {
			return nil, 0, fmt.Errorf("hours %v and %v overlap", hs[i-1], hs[i])
		}
		total += x.to - x.from
	}
	return sp, total, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DefaultSchedule returns the portal's default schedule: Monday to Friday,
// 09:00–17:30 in Asia/Shanghai, with the public holidays and extra working
// days of cal (pass the registry's "cn" calendar).
func DefaultSchedule(cal *Calendar) (*Schedule, error) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, fmt.Errorf("default schedule: %w", err)
	}
	office := []Hours{{9 * time.Hour, 17*time.Hour + 30*time.Minute}}
	cfg := ScheduleConfig{Name: "default", Location: loc, Calendar: cal}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		cfg.Weekly[wd] = office
	}
	return NewSchedule(cfg)
}

// TwentyFourSeven returns the schedule on which every instant is working
// time, so business time equals elapsed (calendar) time.
func TwentyFourSeven() *Schedule {
	cfg := ScheduleConfig{Name: "24x7"}
	for wd := range 7 {
		cfg.Weekly[wd] = []Hours{{0, day}}
	}
	s, err := NewSchedule(cfg)
	if err != nil {
		panic(err) // a constant configuration
	}
	return s
}

// Name returns the configured name.
func (s *Schedule) Name() string { return s.cfg.Name }

// Calendar returns the holiday calendar the schedule follows (nil: none).
func (s *Schedule) Calendar() *Calendar { return s.cfg.Calendar }

// Location returns the zone the schedule's hours are read in.
func (s *Schedule) Location() *time.Location { return s.loc }

// Config returns a copy of the configuration the schedule was built from.
func (s *Schedule) Config() ScheduleConfig {
	c := s.cfg
	for wd := range 7 {
		c.Weekly[wd] = slices.Clone(c.Weekly[wd])
	}
	c.ExtraWorkdayHours = slices.Clone(c.ExtraWorkdayHours)
	c.Holidays = slices.Clone(c.Holidays)
	c.ExtraWorkdays = slices.Clone(c.ExtraWorkdays)
	return c
}

// BusinessDay returns the length of one business day: the total of the
// extra-working-day hours, which default to Monday's. On the default
// schedule it is 8 h 30 m; on the 24/7 schedule, 24 h.
func (s *Schedule) BusinessDay() time.Duration { return time.Duration(s.extraTotal) }

// MissingYears returns the years touched by [from, to] in the schedule's
// zone that its calendar has no notice for. Holidays in those years are
// unknown, so business time there counts weekly hours only. It returns nil
// for a schedule without a calendar.
func (s *Schedule) MissingYears(from, to time.Time) []int {
	if s.cfg.Calendar == nil {
		return nil
	}
	return s.cfg.Calendar.Missing(from.In(s.loc).Year(), to.In(s.loc).Year())
}

// dayHours returns the working intervals of the day numbered n, and their
// total. oi is an index into s.overrides no greater than the first override
// on or after n; it is advanced, so walking days in order costs O(1) each.
func (s *Schedule) dayHours(n int64, oi *int) ([]span, int64) {
	for *oi < len(s.overrides) && s.overrides[*oi].day < n {
		*oi++
	}
	if *oi < len(s.overrides) && s.overrides[*oi].day == n {
		if s.overrides[*oi].work {
			return s.extra, s.extraTotal
		}
		return nil, 0
	}
	wd := weekdayOf(n)
	return s.week[wd], s.weekTotal[wd]
}

// firstOverride returns the index of the first override on or after day n.
// It is hand-written because it runs on every call of the arithmetic.
func (s *Schedule) firstOverride(n int64) int {
	lo, hi := 0, len(s.overrides)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.overrides[m].day < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
