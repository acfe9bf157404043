package forum

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// ScheduleRegion is the region of the holiday calendar the default
// schedule follows: China.
const ScheduleRegion = "cn"

// CalendarWarnDays is how long before a year starts a missing calendar
// for it is reported: from 2 November for the next year.
const CalendarWarnDays = 60

// CalendarInfo describes one region's calendar for pages and the API.
type CalendarInfo struct {
	ID     string `json:"id"`     // the region, "cn"
	Years  []int  `json:"years"`  // the years it has a notice for
	Source string `json:"source"` // where the dates come from, for each distinct source
}

// CalendarStatus is what GET /api/sla/calendars returns.
type CalendarStatus struct {
	Calendars []CalendarInfo `json:"calendars"`
	// MissingYears are the years, among the current one and (from
	// CalendarWarnDays before it starts) the next, that the schedule's
	// calendar has no notice for: business time there would count every
	// weekday as a working day.
	MissingYears []int `json:"missing_years"`
}

// calendars is the loaded holiday data and where admins' files go.
type calendars struct {
	dir string // <data dir>/calendars; "" when uploads are off

	mu  sync.Mutex // serializes installs
	reg *sla.Registry

	recompute recomputer
}

func newCalendars(dir string, reg *sla.Registry) *calendars {
	return &calendars{dir: dir, reg: reg}
}

// MissingCalendarYears returns the years cal should cover at now but does
// not: the current year in loc, and the next one from CalendarWarnDays
// before it starts.
func MissingCalendarYears(cal *sla.Calendar, now time.Time, loc *time.Location) []int {
	now = now.In(loc)
	years := []int{now.Year()}
	next := time.Date(now.Year()+1, 1, 1, 0, 0, 0, 0, loc)
	if !now.Before(next.AddDate(0, 0, -CalendarWarnDays)) {
		years = append(years, now.Year()+1)
	}
	missing := []int{}
	for _, y := range years {
		if !cal.Covers(y) {
			missing = append(missing, y)
		}
	}
	return missing
}

// CalendarStatus reports the loaded calendars and the missing years.
// Public: the dashboard shows it.
func (x *SLA) CalendarStatus() CalendarStatus {
	sched := x.Schedule()
	st := CalendarStatus{Calendars: []CalendarInfo{}, MissingYears: []int{}}
	if cal := sched.Calendar(); cal != nil {
		st.MissingYears = MissingCalendarYears(cal, x.st.now(), sched.Location())
	}
	var reg *sla.Registry
	if x.cals != nil {
		x.cals.mu.Lock()
		reg = x.cals.reg
		x.cals.mu.Unlock()
	}
	for _, region := range reg.Regions() {
		st.Calendars = append(st.Calendars, calendarInfo(reg.Calendar(region)))
	}
	if reg == nil && sched.Calendar() != nil {
		st.Calendars = append(st.Calendars, calendarInfo(sched.Calendar()))
	}
	return st
}

func calendarInfo(c *sla.Calendar) CalendarInfo {
	info := CalendarInfo{ID: c.Region(), Years: c.Years()}
	var sources []string
	for _, y := range info.Years {
		if f, ok := c.Year(y); ok && f.Source != "" && !slices.Contains(sources, f.Source) {
			sources = append(sources, f.Source)
		}
	}
	info.Source = strings.Join(sources, "; ")
	return info
}

// logCalendars says at start-up which years are covered, and warns when
// the current or next year is missing.
func (x *SLA) logCalendars(ctx context.Context) {
	st := x.CalendarStatus()
	for _, c := range st.Calendars {
		x.log.InfoContext(ctx, "sla holiday calendar", "calendar", c.ID, "years", c.Years)
	}
	if len(st.MissingYears) > 0 {
		x.log.WarnContext(ctx, "sla holiday calendar missing: business time counts every weekday as a working day",
			"calendar", ScheduleRegion, "missing_years", st.MissingYears,
			"fix", "upload <year>.json on the admin Calendars page or put it in <data dir>/calendars/"+ScheduleRegion)
	}
}

// errUploadsOff is returned by InstallCalendarYear when the service has no
// calendars directory (a schedule given in SLAConfig).
var errUploadsOff = errors.New("calendar uploads are off")

// InstallCalendarYear validates an uploaded year file, writes it to the
// calendars directory (replacing that region and year), reloads the
// calendars and the schedule, and starts recomputing, in the background,
// every stored result whose window touches a date the file changed.
// Admins only (ErrForbidden; ErrUnauthorized when signed out). A bad file
// is ErrInvalid with the parser's reason in Data["Detail"]; nothing is
// written then.
func (x *SLA) InstallCalendarYear(ctx context.Context, data []byte) (sla.YearFile, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return sla.YearFile{}, unauthorized("forum.error.login_required")
	}
	if !x.st.Can(ctx, ActionEditCategory, Resource{}) {
		return sla.YearFile{}, forbidden("forum.error.forbidden")
	}
	f, err := sla.ParseYearFile(data)
	if err != nil {
		detail := strings.TrimPrefix(strings.TrimPrefix(err.Error(), sla.ErrInvalidCalendar.Error()), ": ")
		return f, invalid("file", "support.calendar.invalid", map[string]any{"Detail": detail})
	}
	if x.cals == nil || x.cals.dir == "" {
		return f, fmt.Errorf("install calendar: %w", errUploadsOff)
	}
	c := x.cals
	c.mu.Lock()
	defer c.mu.Unlock()
	dir := filepath.Join(c.dir, f.Region)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, fmt.Errorf("install calendar: %w", err)
	}
	path := filepath.Join(dir, strconv.Itoa(f.Year)+".json")
	old, hadOld := []byte(nil), false
	if b, err := os.ReadFile(path); err == nil {
		old, hadOld = b, true
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return f, fmt.Errorf("install calendar: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return f, fmt.Errorf("install calendar: %w", err)
	}
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), c.dir)
	var sched *sla.Schedule
	if err == nil {
		sched, err = sla.DefaultSchedule(reg.Calendar(ScheduleRegion))
	}
	if err != nil { // put the directory back as it was
		if hadOld {
			os.WriteFile(path, old, 0o644)
		} else {
			os.Remove(path)
		}
		return f, fmt.Errorf("install calendar: %w", err)
	}
	before := x.Schedule().Calendar()
	c.reg = reg
	x.sched.Store(sched)
	x.log.InfoContext(ctx, "sla holiday calendar installed", "calendar", f.Region, "year", f.Year, "by", u.ID)
	if f.Region == ScheduleRegion {
		if lo, hi, ok := changedSpan(before, sched.Calendar(), f.Year, sched.Location()); ok {
			c.recompute.start(x, fmt.Sprintf("%s %d", f.Region, f.Year), lo, hi)
		}
	}
	return f, nil
}

// changedSpan returns the span of instants from the start of the first
// date whose calendar entry differs between a and b to the end of the
// last, around year. ok is false when nothing changed.
func changedSpan(a, b *sla.Calendar, year int, loc *time.Location) (lo, hi time.Time, ok bool) {
	for d := time.Date(year-1, 12, 1, 0, 0, 0, 0, loc); d.Year() <= year+1 && !(d.Year() == year+1 && d.Month() > 1); d = d.AddDate(0, 0, 1) {
		date := sla.DateOf(d)
		x, okA := a.Day(date)
		y, okB := b.Day(date)
		if okA == okB && x == y {
			continue
		}
		if !ok {
			lo, ok = d, true
		}
		hi = d.AddDate(0, 0, 1)
	}
	return lo, hi, ok
}
