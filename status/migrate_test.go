package status_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/histogram"
	"github.com/switchboard-rtm/switchboard/status"
)

// migrateThrough applies only the named status migrations to d: a
// database as an older release left it.
func migrateThrough(t *testing.T, d *sql.DB, names ...string) {
	t.Helper()
	old := fstest.MapFS{}
	for _, name := range names {
		b, err := os.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := db.Migrate(context.Background(), d, "status", old); err != nil {
		t.Fatal(err)
	}
}

// A database rolled up before availability was measured in seconds keeps
// its history: each old probe counts for 10 s, failures first, and days
// whose minutes are kept are summed from them.
func TestMigrateMinuteRollups(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	migrateThrough(t, d, "001_status.sql", "002_minutes_by_time.sql")
	day, old1 := at("2026-11-24T00:00:00Z").Unix(), at("2026-09-01T00:00:00Z").Unix()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		// 12:00 on the 24th: 6 ok probes; 12:01: 5 ok and 1 failed.
		{`INSERT INTO status_minutes (component, minute, ok, failed) VALUES ('overall', ?, 6, 0), ('overall', ?, 5, 1)`,
			[]any{day + 43200, day + 43260}},
		{`INSERT INTO status_days (component, day, up_minutes, down_minutes, ok, failed) VALUES ('overall', ?, 1, 1, 11, 1)`,
			[]any{day}},
		// An old day without minutes: 100 up minutes from 590 ok probes, 2 down minutes.
		{`INSERT INTO status_days (component, day, up_minutes, down_minutes, ok, failed) VALUES ('overall', ?, 100, 2, 590, 2)`,
			[]any{old1}},
	} {
		if _, err := d.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	m, err := status.New(ctx, status.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	check := func(q string, arg int64, wantUp, wantDown int64) {
		t.Helper()
		var up, down int64
		if err := m.DB().QueryRowContext(ctx, q, arg).Scan(&up, &down); err != nil {
			t.Fatal(err)
		}
		if up != wantUp || down != wantDown {
			t.Errorf("%s (%d): up/down %d/%d ms, want %d/%d", q, arg, up, down, wantUp, wantDown)
		}
	}
	check(`SELECT up_ms, down_ms FROM status_minutes WHERE component = 'overall' AND minute = ?`, day+43200, 60000, 0)
	check(`SELECT up_ms, down_ms FROM status_minutes WHERE component = 'overall' AND minute = ?`, day+43260, 50000, 10000)
	check(`SELECT up_ms, down_ms FROM status_days WHERE component = 'overall' AND day = ?`, day, 110000, 10000)
	check(`SELECT up_ms, down_ms FROM status_days WHERE component = 'overall' AND day = ?`, old1, 5900000, 20000)
}

// Histograms stored with 4 buckets per octave keep their percentiles when
// the histogram gains 16 per octave: old bucket i becomes 4i (the same
// upper bound) and the old overflow bucket the new one.
func TestMigrateHistogramBuckets(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	migrateThrough(t, d, "001_status.sql", "002_minutes_by_time.sql", "003_measured_time.sql")
	// 5 probes up to 100 µs, 10 in old bucket 40 (up to 102.4 ms), 1 over a minute.
	if _, err := d.ExecContext(ctx, `INSERT INTO status_minutes (component, minute, hist) VALUES ('overall', 60, '[[0,5],[40,10],[78,1]]'), ('engine', 60, '[]')`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, `INSERT INTO status_days (component, day, hist) VALUES ('overall', 0, '[[40,2]]')`); err != nil {
		t.Fatal(err)
	}
	m, err := status.New(ctx, status.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want string }{
		{`SELECT hist FROM status_minutes WHERE component = 'overall'`, `[[0,5],[160,10],[309,1]]`},
		{`SELECT hist FROM status_minutes WHERE component = 'engine'`, `[]`},
		{`SELECT hist FROM status_days WHERE component = 'overall'`, `[[160,2]]`},
	} {
		var got string
		if err := m.DB().QueryRowContext(ctx, c.q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.q, got, c.want)
		}
	}
	var stored string
	if err := m.DB().QueryRowContext(ctx, `SELECT hist FROM status_minutes WHERE component = 'overall'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	h, err := histogram.Decode(stored)
	if err != nil {
		t.Fatal(err)
	}
	// p90 is in the old bucket 40, whose upper bound was 100 µs·2^10.
	if p90, _ := h.Quantile(0.9); p90 != 102400*time.Microsecond {
		t.Errorf("p90 after the migration %v, want 102.4ms as before", p90)
	}
	if p100, _ := h.Quantile(1); p100 < time.Minute {
		t.Errorf("the overflow probe reads %v, want over a minute", p100)
	}
}
