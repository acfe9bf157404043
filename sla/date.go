package sla

import (
	"fmt"
	"time"
)

// Date is a civil date with no time of day and no zone, such as a public
// holiday. The zero Date is not a valid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date t shows in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Weekday returns the day of the week d falls on.
func (d Date) Weekday() time.Weekday {
	return weekdayOf(d.days())
}

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// days returns the number of days from 1970-01-01 to d (negative before).
// It is Howard Hinnant's days_from_civil, so no time.Time is built.
func (d Date) days() int64 {
	y := int64(d.Year)
	m := int64(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// weekdayOf returns the weekday of the day numbered n from 1970-01-01, a
// Thursday.
func weekdayOf(n int64) time.Weekday {
	return time.Weekday(floorMod(n+4, 7))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
