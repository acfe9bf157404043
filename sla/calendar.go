package sla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Limits on a calendar year file. Files come from admins' disks, so they are
// checked like any other untrusted input.
const (
	MaxCalendarFileSize = 64 << 10 // bytes in one year file
	MaxHolidaysPerYear  = 64       // holiday entries in one year file
	MaxDatesPerYear     = 400      // off and work dates in one year file, all told
	MaxNameLength       = 200      // bytes in a holiday name, per language
)

// ErrInvalidCalendar is wrapped by every error about the content of a
// calendar file, so callers can tell bad data from I/O failures.
var ErrInvalidCalendar = errors.New("invalid calendar file")

// Name is a name in the portal's two languages.
type Name struct {
	En string `json:"en"`
	Zh string `json:"zh"`
}

// Holiday is one public holiday as a government notice announces it: the
// dates off, and the weekend dates that become working days in exchange
// (China's 调休).
type Holiday struct {
	Name Name   `json:"name"`
	Off  []Date `json:"off"`
	Work []Date `json:"work,omitempty"`
}

// YearFile is the content of one calendar file, <region>/<year>.json: the
// holiday notice for that year. Dates may fall in the last weeks of the
// previous year or the first weeks of the next, because notices move days
// across New Year.
//
// Example (an excerpt of cn/2026.json):
//
//	{
//	  "region": "cn",
//	  "year": 2026,
//	  "source": "State Council notice …",
//	  "holidays": [
//	    {"name": {"en": "New Year's Day", "zh": "元旦"},
//	     "off": ["2026-01-01", "2026-01-02", "2026-01-03"],
//	     "work": ["2026-01-04"]}
//	  ]
//	}
type YearFile struct {
	Region   string    `json:"region"`
	Year     int       `json:"year"`
	Source   string    `json:"source,omitempty"`
	Holidays []Holiday `json:"holidays"`
}

var regionPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// ParseYearFile decodes and validates one calendar year file. Unknown fields,
// malformed dates, dates far from the file's year, a date listed twice and
// oversized input are all errors wrapping ErrInvalidCalendar.
func ParseYearFile(data []byte) (YearFile, error) {
	var f YearFile
	if len(data) > MaxCalendarFileSize {
		return f, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidCalendar, len(data), MaxCalendarFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return YearFile{}, fmt.Errorf("%w: %v", ErrInvalidCalendar, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return YearFile{}, fmt.Errorf("%w: data after the JSON object", ErrInvalidCalendar)
	}
	if err := checkKeys(data); err != nil {
		return YearFile{}, fmt.Errorf("%w: %v", ErrInvalidCalendar, err)
	}
	if err := f.validate(); err != nil {
		return YearFile{}, fmt.Errorf("%w: %v", ErrInvalidCalendar, err)
	}
	for i := range f.Holidays {
		if len(f.Holidays[i].Work) == 0 {
			f.Holidays[i].Work = nil // "work": [] and no "work" mean the same
		}
	}
	return f, nil
}

// knownKeys are the object keys a year file may use, spelled exactly.
var knownKeys = map[string]bool{
	"region": true, "year": true, "source": true, "holidays": true,
	"name": true, "en": true, "zh": true, "off": true, "work": true,
}

// checkKeys rejects what encoding/json lets through silently: a key given
// twice in one object (the last would win, dropping dates) and keys in the
// wrong case ("Off" would be read as "off"). data is known to be valid JSON.
func checkKeys(data []byte) error {
	type frame struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '}' || d == ']' {
				stack = stack[:len(stack)-1]
				continue
			}
			if top != nil && top.object {
				top.wantKey = true // this object or array is top's value
			}
			stack = append(stack, &frame{object: d == '{', wantKey: true, keys: map[string]bool{}})
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if !top.wantKey {
			top.wantKey = true
			continue
		}
		key, _ := tok.(string)
		if !knownKeys[key] {
			return fmt.Errorf("unknown field %q", key)
		}
		if top.keys[key] {
			return fmt.Errorf("field %q given twice", key)
		}
		top.keys[key] = true
		top.wantKey = false
	}
}

func (f YearFile) validate() error {
	if !regionPattern.MatchString(f.Region) {
		return fmt.Errorf("region %q: want 1 to 16 lowercase letters, digits or dashes", f.Region)
	}
	if f.Year < minYear+1 || f.Year > maxYear-1 {
		return fmt.Errorf("year %d: want %d to %d", f.Year, minYear+1, maxYear-1)
	}
	if len(f.Holidays) > MaxHolidaysPerYear {
		return fmt.Errorf("%d holidays, limit %d", len(f.Holidays), MaxHolidaysPerYear)
	}
	// A notice for year Y may reach into December of Y-1 and January of Y+1.
	lo := Date{f.Year - 1, 12, 1}.days()
	hi := Date{f.Year + 1, 1, 31}.days()
	seen := map[Date]bool{}
	for i, h := range f.Holidays {
		for _, n := range []string{h.Name.En, h.Name.Zh} {
			if strings.TrimSpace(n) == "" || len(n) > MaxNameLength {
				return fmt.Errorf("holiday %d: names in en and zh must be 1 to %d bytes", i+1, MaxNameLength)
			}
		}
		if len(h.Off) == 0 {
			return fmt.Errorf("holiday %q: no dates off", h.Name.En)
		}
		for _, d := range slices.Concat(h.Off, h.Work) {
			if d.Year == 0 {
				return fmt.Errorf("holiday %q: missing date", h.Name.En)
			}
			if n := d.days(); n < lo || n > hi {
				return fmt.Errorf("holiday %q: date %s is too far from %d", h.Name.En, d, f.Year)
			}
			if seen[d] {
				return fmt.Errorf("holiday %q: date %s listed twice", h.Name.En, d)
			}
			seen[d] = true
			if len(seen) > MaxDatesPerYear {
				return fmt.Errorf("more than %d dates", MaxDatesPerYear)
			}
		}
	}
	return nil
}

// DayKind says how a calendar changes a date.
type DayKind int

const (
	// DayOff is a public holiday: no working hours, whatever the weekday.
	DayOff DayKind = iota + 1
	// DayWork is an extra working day (调休), usually a Saturday or Sunday,
	// worked with the schedule's extra-working-day hours.
	DayWork
)

// CalendarDay is what a calendar says about one date.
type CalendarDay struct {
	Date Date
	Kind DayKind
	// Holiday names the holiday the date belongs to (for DayWork, the
	// holiday it makes up for).
	Holiday Name
}

// Calendar is the holiday data of one region across the years it has files
// for. It is immutable and safe for concurrent use. A nil *Calendar is an
// empty calendar.
type Calendar struct {
	region string
	files  map[int]YearFile
	days   map[Date]CalendarDay
}

// NewCalendar merges year files of one region. When two notices list the
// same date, the later year's notice wins, since it was published later.
func NewCalendar(region string, files ...YearFile) (*Calendar, error) {
	c := &Calendar{region: region, files: map[int]YearFile{}, days: map[Date]CalendarDay{}}
	slices.SortFunc(files, func(a, b YearFile) int { return a.Year - b.Year })
	for _, f := range files {
		if f.Region != region {
			return nil, fmt.Errorf("%w: file for %d names region %q, want %q", ErrInvalidCalendar, f.Year, f.Region, region)
		}
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("%w: %s %d: %v", ErrInvalidCalendar, region, f.Year, err)
		}
		if _, dup := c.files[f.Year]; dup {
			return nil, fmt.Errorf("%w: two files for %s %d", ErrInvalidCalendar, region, f.Year)
		}
		c.files[f.Year] = f
		for _, h := range f.Holidays {
			for _, d := range h.Off {
				c.days[d] = CalendarDay{Date: d, Kind: DayOff, Holiday: h.Name}
			}
			for _, d := range h.Work {
				c.days[d] = CalendarDay{Date: d, Kind: DayWork, Holiday: h.Name}
			}
		}
	}
	return c, nil
}

// Region returns the calendar's region, such as "cn".
func (c *Calendar) Region() string {
	if c == nil {
		return ""
	}
	return c.region
}

// Years returns the years the calendar has a notice for, in order.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	ys := make([]int, 0, len(c.files))
	for y := range c.files {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Covers reports whether the calendar has the notice for year.
func (c *Calendar) Covers(year int) bool {
	if c == nil {
		return false
	}
	_, ok := c.files[year]
	return ok
}

// Missing returns the years from first to last, inclusive, that the
// calendar has no notice for. Business time in those years counts weekly
// hours only, as if there were no holidays, so callers should warn.
func (c *Calendar) Missing(first, last int) []int {
	var m []int
	for y := first; y <= last; y++ {
		if !c.Covers(y) {
			m = append(m, y)
		}
	}
	return m
}

// Year returns the file for year.
func (c *Calendar) Year(year int) (YearFile, bool) {
	if c == nil {
		return YearFile{}, false
	}
	f, ok := c.files[year]
	return f, ok
}

// Day returns what the calendar says about d; ok is false for an ordinary
// day.
func (c *Calendar) Day(d Date) (day CalendarDay, ok bool) {
	if c == nil {
		return CalendarDay{}, false
	}
	day, ok = c.days[d]
	return day, ok
}

// Days returns every date the calendar changes, in date order.
func (c *Calendar) Days() []CalendarDay {
	if c == nil {
		return nil
	}
	ds := make([]CalendarDay, 0, len(c.days))
	for _, d := range c.days {
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b CalendarDay) int { return int(a.Date.days() - b.Date.days()) })
	return ds
}
