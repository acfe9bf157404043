package sla

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedChinaCalendar(t *testing.T) {
	reg, err := LoadCalendars(EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	cn := reg.Calendar("cn")
	if got := cn.Years(); !reflect.DeepEqual(got, []int{2025, 2026, 2027}) {
		t.Errorf("Years = %v, want [2025 2026 2027]", got)
	}
	if got := cn.Missing(2026, 2028); !reflect.DeepEqual(got, []int{2028}) {
		t.Errorf("Missing(2026, 2028) = %v, want [2028]: no official 2028 data is shipped", got)
	}
	// Spot checks against the State Council's notices for 2026 and 2027.
	tests := []struct {
		date Date
		kind DayKind
		en   string
	}{
		{Date{2026, 1, 1}, DayOff, "New Year's Day"},
		{Date{2026, 1, 4}, DayWork, "New Year's Day"},
		{Date{2026, 2, 14}, DayWork, "Spring Festival"},
		{Date{2026, 2, 15}, DayOff, "Spring Festival"},
		{Date{2026, 2, 23}, DayOff, "Spring Festival"},
		{Date{2026, 2, 28}, DayWork, "Spring Festival"},
		{Date{2026, 4, 6}, DayOff, "Qingming Festival"},
		{Date{2026, 5, 5}, DayOff, "Labour Day"},
		{Date{2026, 5, 9}, DayWork, "Labour Day"},
		{Date{2026, 6, 19}, DayOff, "Dragon Boat Festival"},
		{Date{2026, 9, 20}, DayWork, "National Day"},
		{Date{2026, 9, 25}, DayOff, "Mid-Autumn Festival"},
		{Date{2026, 10, 7}, DayOff, "National Day"},
		{Date{2026, 10, 10}, DayWork, "National Day"},
		{Date{2027, 1, 1}, DayOff, "New Year's Day"},
		{Date{2027, 1, 31}, DayWork, "Spring Festival"},
		{Date{2027, 2, 5}, DayOff, "Spring Festival"},
		{Date{2027, 2, 13}, DayOff, "Spring Festival"},
		{Date{2027, 2, 14}, DayWork, "Spring Festival"},
		{Date{2027, 4, 5}, DayOff, "Qingming Festival"},
		{Date{2027, 5, 3}, DayOff, "Labour Day"},
		{Date{2027, 5, 8}, DayWork, "Labour Day"},
		{Date{2027, 6, 9}, DayOff, "Dragon Boat Festival"},
		{Date{2027, 9, 15}, DayOff, "Mid-Autumn Festival"},
		{Date{2027, 9, 26}, DayWork, "National Day"},
		{Date{2027, 10, 1}, DayOff, "National Day"},
		{Date{2027, 10, 7}, DayOff, "National Day"},
		{Date{2027, 10, 9}, DayWork, "National Day"},
	}
	for _, tt := range tests {
		got, ok := cn.Day(tt.date)
		if !ok || got.Kind != tt.kind || got.Holiday.En != tt.en || got.Holiday.Zh == "" {
			t.Errorf("Day(%v) = %+v, %v; want kind %v of %q", tt.date, got, ok, tt.kind, tt.en)
		}
	}
	if _, ok := cn.Day(Date{2026, 10, 8}); ok {
		t.Errorf("2026-10-08 is an ordinary working day")
	}
	for _, d := range cn.Days() {
		if d.Kind == DayWork && d.Date.Weekday() != time.Saturday && d.Date.Weekday() != time.Sunday {
			t.Errorf("extra working day %v is a %v, want a weekend day", d.Date, d.Date.Weekday())
		}
	}
}

// TestChina2027 checks that business time follows the 2027 file generated
// from lunar-go v1.4.7 (its dates are spot-checked above): Spring Festival
// and National Day hours never count against staff, and the make-up
// Sundays are worked.
func TestChina2027(t *testing.T) {
	reg, err := LoadCalendars(EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	cn := reg.Calendar("cn")
	s, err := DefaultSchedule(cn)
	if err != nil {
		t.Fatal(err)
	}
	spans := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		// Spring Festival week: Friday 5 to Saturday 13 February off.
		{"Spring Festival", sh(2027, 2, 5, 0, 0), sh(2027, 2, 14, 0, 0), 0},
		// Sunday 14 February is worked with Monday's hours.
		{"make-up Sunday 14 February", sh(2027, 2, 14, 0, 0), sh(2027, 2, 15, 0, 0), hm(8, 30)},
		{"make-up Sunday 31 January", sh(2027, 1, 31, 0, 0), sh(2027, 2, 1, 0, 0), hm(8, 30)},
		// National Day: 1 to 7 October off, Saturday 9 October worked.
		{"National Day week", sh(2027, 10, 1, 0, 0), sh(2027, 10, 8, 0, 0), 0},
		{"week after National Day", sh(2027, 10, 8, 0, 0), sh(2027, 10, 11, 0, 0), 2 * hm(8, 30)},
	}
	for _, tt := range spans {
		if got := s.BusinessDuration(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: business time = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const file2028 = `{"region": "cn", "year": 2028, "holidays": [
  {"name": {"en": "Test Day", "zh": "测试日"}, "off": ["2028-01-03"], "work": ["2028-01-08"]}]}`

func TestLoadCalendarsOverrides(t *testing.T) {
	t.Run("a new year dropped into the data directory", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "cn", "2028.json"), file2028)
		writeFile(t, filepath.Join(dir, "cn", "notes.txt"), "ignored")
		writeFile(t, filepath.Join(dir, "README.md"), "ignored")
		reg, err := LoadCalendars(EmbeddedCalendars(), dir)
		if err != nil {
			t.Fatal(err)
		}
		cn := reg.Calendar("cn")
		if got := cn.Years(); !reflect.DeepEqual(got, []int{2025, 2026, 2027, 2028}) {
			t.Errorf("Years = %v, want 2025 to 2028", got)
		}
		s, err := DefaultSchedule(cn)
		if err != nil {
			t.Fatal(err)
		}
		// 2028-01-03 is a Monday made a holiday; Saturday 8 January a working day.
		if got := s.BusinessDuration(sh(2028, 1, 3, 0, 0), sh(2028, 1, 4, 0, 0)); got != 0 {
			t.Errorf("holiday from the override = %v of business time, want 0", got)
		}
		if got := s.BusinessDuration(sh(2028, 1, 8, 0, 0), sh(2028, 1, 9, 0, 0)); got != hm(8, 30) {
			t.Errorf("extra working day from the override = %v, want 8h30m", got)
		}
		if got := s.MissingYears(sh(2028, 1, 1, 0, 0), sh(2028, 6, 1, 0, 0)); got != nil {
			t.Errorf("MissingYears = %v, want none", got)
		}
	})
	t.Run("a file replaces the embedded year", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "cn", "2026.json"), strings.ReplaceAll(file2028, "2028", "2026"))
		reg, err := LoadCalendars(EmbeddedCalendars(), dir)
		if err != nil {
			t.Fatal(err)
		}
		cn := reg.Calendar("cn")
		if _, ok := cn.Day(Date{2026, 10, 1}); ok {
			t.Errorf("National Day still present: the override should replace the whole year")
		}
		if d, ok := cn.Day(Date{2026, 1, 3}); !ok || d.Holiday.En != "Test Day" {
			t.Errorf("Day(2026-01-03) = %+v, want the override's", d)
		}
	})
	t.Run("a new region", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "sg", "2026.json"), `{"region":"sg","year":2026,"holidays":[{"name":{"en":"National Day","zh":"国庆日"},"off":["2026-08-10"]}]}`)
		reg, err := LoadCalendars(EmbeddedCalendars(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := reg.Regions(); !reflect.DeepEqual(got, []string{"cn", "sg"}) {
			t.Errorf("Regions = %v", got)
		}
	})
	t.Run("missing directory means no overrides", func(t *testing.T) {
		if _, err := LoadCalendars(EmbeddedCalendars(), filepath.Join(t.TempDir(), "absent")); err != nil {
			t.Errorf("LoadCalendars = %v, want nil", err)
		}
	})
	bad := map[string]struct{ path, content string }{
		"broken JSON":            {"cn/2028.json", `{"region": "cn", "year": 2028,`},
		"unknown field":          {"cn/2028.json", strings.Replace(file2028, `"off"`, `"days_off"`, 1)},
		"year differs from name": {"cn/2029.json", file2028},
		"region differs":         {"hk/2028.json", file2028},
		"file name not a year":   {"cn/next.json", file2028},
		"date far from the year": {"cn/2028.json", strings.Replace(file2028, "2028-01-08", "2028-06-31", 1)},
		"too large":              {"cn/2028.json", strings.Repeat(" ", MaxCalendarFileSize) + file2028},
	}
	for name, tc := range bad {
		t.Run("rejects "+name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, filepath.FromSlash(tc.path)), tc.content)
			_, err := LoadCalendars(EmbeddedCalendars(), dir)
			if !errors.Is(err, ErrInvalidCalendar) {
				t.Fatalf("LoadCalendars = %v, want ErrInvalidCalendar", err)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file %s", err, tc.path)
			}
		})
	}
}

func TestParseYearFileErrors(t *testing.T) {
	base := func(mut string) string { return strings.Replace(file2028, `"off": ["2028-01-03"]`, mut, 1) }
	for name, in := range map[string]string{
		"date listed twice":   base(`"off": ["2028-01-03", "2028-01-03"]`),
		"off and work":        base(`"off": ["2028-01-08"]`),
		"no dates off":        base(`"off": []`),
		"bad date":            base(`"off": ["2028-1-1"]`),
		"trailing data":       file2028 + `{}`,
		"missing Chinese":     strings.Replace(file2028, `"测试日"`, `""`, 1),
		"region upper case":   strings.Replace(file2028, `"cn"`, `"CN"`, 1),
		"year out of range":   strings.ReplaceAll(file2028, "2028", "2300"),
		"not an object":       `[]`,
		"null holiday name":   strings.Replace(file2028, `{"en": "Test Day", "zh": "测试日"}`, `null`, 1),
		"February 30":         base(`"off": ["2028-02-30"]`),
		"date without digits": base(`"off": ["YYYY-MM-DD"]`),
		"key given twice":     base(`"off": ["2028-01-03"], "off": ["2028-01-04"]`),
		"key in another case": strings.Replace(file2028, `"year"`, `"Year"`, 1),
	} {
		if _, err := ParseYearFile([]byte(in)); !errors.Is(err, ErrInvalidCalendar) {
			t.Errorf("%s: err = %v, want ErrInvalidCalendar", name, err)
		}
	}
}

func FuzzParseYearFile(f *testing.F) {
	err := fs.WalkDir(EmbeddedCalendars(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, err := fs.ReadFile(EmbeddedCalendars(), p)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(file2028))
	f.Add([]byte(`{"region":"cn","year":2028,"holidays":[]}`))
	f.Add([]byte(`{"region":"cn","year":-1,"holidays":[{"off":["0000-00-00"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		yf, err := ParseYearFile(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidCalendar) {
				t.Fatalf("error %v does not wrap ErrInvalidCalendar", err)
			}
			return
		}
		// A file that parses round-trips, and builds a calendar and a
		// schedule whose arithmetic stays sane.
		out, err := json.Marshal(yf)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseYearFile(out)
		if err != nil || !reflect.DeepEqual(again, yf) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, again, yf)
		}
		cal, err := NewCalendar(yf.Region, yf)
		if err != nil {
			t.Fatalf("NewCalendar on a parsed file: %v", err)
		}
		cfg := ScheduleConfig{Calendar: cal}
		cfg.Weekly[time.Monday] = []Hours{{9 * time.Hour, 17 * time.Hour}}
		s, err := NewSchedule(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a := time.Date(yf.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		b := a.AddDate(1, 0, 0)
		d := s.BusinessDuration(a, b)
		if d < 0 || d > b.Sub(a) {
			t.Fatalf("business time of the year = %v", d)
		}
		if d > 0 && s.BusinessDuration(a, s.AddBusiness(a, d)) != d {
			t.Fatalf("AddBusiness does not invert BusinessDuration")
		}
	})
}
