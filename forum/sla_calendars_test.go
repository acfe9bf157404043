package forum

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

const year2028 = `{"region": "cn", "year": 2028, "source": "test notice", "holidays": [
  {"name": {"en": "New Year's Day", "zh": "元旦"}, "off": ["2028-01-03"]}]}`

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestMissingCalendarYears(t *testing.T) {
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	cn, loc := reg.Calendar("cn"), shanghai(t)
	tests := []struct {
		now  time.Time
		want []int
	}{
		{time.Date(2027, 6, 1, 12, 0, 0, 0, loc), []int{}},
		{time.Date(2027, 11, 1, 23, 59, 0, 0, loc), []int{}},   // 61 days before 2028
		{time.Date(2027, 11, 2, 0, 0, 0, 0, loc), []int{2028}}, // 60 days before
		{time.Date(2028, 1, 3, 10, 0, 0, 0, loc), []int{2028}}, // the current year
		{time.Date(2028, 11, 15, 0, 0, 0, 0, loc), []int{2028, 2029}},
	}
	for _, tt := range tests {
		if got := MissingCalendarYears(cn, tt.now, loc); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MissingCalendarYears at %v = %v, want %v", tt.now, got, tt.want)
		}
	}
}

// TestCalendarInstallRecomputes asks a question on Monday 3 January 2028,
// a year without a calendar, answers it the next morning, then installs a
// 2028 file that makes 3 January a holiday: the stored result is
// recomputed in the background and the warnings go away.
func TestCalendarInstallRecomputes(t *testing.T) {
	f := newFixture(t)
	asker, staff, admin := f.user("asker", RoleMember), f.user("eng", RoleStaff), f.user("admin", RoleAdmin)
	loc := shanghai(t)
	f.clock.t = time.Date(2028, 1, 3, 10, 0, 0, 0, loc)
	var logs bytes.Buffer
	dir := t.TempDir()
	x, err := NewSLA(f.ctx, f.s, SLAConfig{CalendarsDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.CalendarStatus().MissingYears; !reflect.DeepEqual(got, []int{2028}) {
		t.Errorf("missing years = %v, want [2028]", got)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "missing_years=[2028]") {
		t.Errorf("no start-up warning for 2028 in the log:\n%s", logs.String())
	}
	tp, err := f.s.CreateTopic(f.as(asker), NewTopic{CategoryID: f.cats[CategoryProduction].ID, Title: "Latency", Body: "p99 doubled", Lang: LangEN})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = time.Date(2028, 1, 4, 10, 0, 0, 0, loc)
	if _, err := f.s.Reply(f.as(staff), tp.ID, "Looking into it"); err != nil {
		t.Fatal(err)
	}
	m, _ := x.TopicSLA(f.ctx, tp.ID)
	if m.First.Status.Business != 8*time.Hour+30*time.Minute || m.First.Status.State != sla.MetLate {
		t.Fatalf("before the 2028 file: %v %s, want 8h30m met late (3 January counted as a working day)", m.First.Status.Business, m.First.Status.State)
	}

	if _, err := x.InstallCalendarYear(f.as(asker), []byte(year2028)); !isKind(err, ErrForbidden) {
		t.Errorf("a member installed a calendar: %v", err)
	}
	bad := strings.Replace(year2028, "2028-01-03", "2028-13-03", 1)
	if _, err := x.InstallCalendarYear(f.as(admin), []byte(bad)); !isKind(err, ErrInvalid) || AsError(err).Data["Detail"] == "" {
		t.Errorf("bad file: err = %v, want ErrInvalid with a detail", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cn", "2028.json")); err == nil {
		t.Fatal("a bad file was written")
	}
	if _, err := x.InstallCalendarYear(f.as(admin), []byte(year2028)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second)
	defer cancel()
	if err := x.WaitRecompute(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ = x.TopicSLA(f.ctx, tp.ID)
	if m.First.Status.Business != time.Hour || m.First.Status.State != sla.Met {
		t.Errorf("after the 2028 file: %v %s, want 1h met (3 January is a holiday)", m.First.Status.Business, m.First.Status.State)
	}
	rc, ok, err := x.LastRecompute(f.ctx)
	if err != nil || !ok || rc.Running || rc.Total < 1 || rc.Done != rc.Total || rc.Changed != 1 || rc.Reason != "cn 2028" {
		t.Errorf("recompute status %+v, %v, %v; want finished, 1 changed", rc, ok, err)
	}
	st := x.CalendarStatus()
	if len(st.MissingYears) != 0 || len(st.Calendars) != 1 || !reflect.DeepEqual(st.Calendars[0].Years, []int{2025, 2026, 2027, 2028}) ||
		!strings.Contains(st.Calendars[0].Source, "test notice") || !strings.Contains(st.Calendars[0].Source, "lunar-go v1.4.7") {
		t.Errorf("calendar status after install = %+v", st)
	}
	// The file is in the data directory: a restart reads it, and resumes a
	// recompute that was interrupted.
	if _, err := f.s.db.ExecContext(f.ctx, `UPDATE forum_sla_recompute SET finished_at = NULL, done = 0`); err != nil {
		t.Fatal(err)
	}
	x2, err := NewSLA(f.ctx, f.s, SLAConfig{CalendarsDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer x2.Close()
	if got := x2.CalendarStatus().MissingYears; len(got) != 0 {
		t.Errorf("after a restart: missing %v", got)
	}
	if err := x2.WaitRecompute(ctx); err != nil {
		t.Fatal(err)
	}
	if rc, _, _ := x2.LastRecompute(f.ctx); rc.Running || rc.Done != rc.Total || rc.Total < 1 {
		t.Errorf("interrupted recompute not resumed: %+v", rc)
	}
}

func isKind(err, kind error) bool {
	e := AsError(err)
	return e != nil && e.Kind == kind
}
