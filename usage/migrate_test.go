package usage_test

import (
	"context"
	"os"
	"testing"
	"testing/fstest"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/usage/usagetest"
)

// Usage stored with 4 histogram buckets per octave reads the same
// percentiles after the histogram gained 16 per octave.
func TestMigrateHistogramBuckets(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	b, err := os.ReadFile("migrations/001_usage.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, d, "usage", fstest.MapFS{"001_usage.sql": {Data: b}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, `INSERT INTO usage_periods (app_id, step, t, conns, peak, new_conns, publishes, due,
		delivered, peer_delivered, peer_stored, peer_failed, history, disconnects, errors, sdks, hist)
		VALUES ('a1', 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', '{}', '{}', '[[1,3],[78,1]]'),
		       ('a1', 60, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', '{}', '{}', '[]')`); err != nil {
		t.Fatal(err)
	}
	if _, err := usage.New(ctx, usage.Config{DB: d, Source: &usagetest.Samples{}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		t    int
		want string
	}{{0, `[[4,3],[309,1]]`}, {60, `[]`}} {
		var got string
		if err := d.QueryRowContext(ctx, `SELECT hist FROM usage_periods WHERE t = ?`, c.t).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("minute %d: hist %s, want %s", c.t, got, c.want)
		}
	}
}
