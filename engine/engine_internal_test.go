package engine

import (
	"context"
	"database/sql"
	"testing"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
)

// newTestEngine starts an engine on a fresh SQLite file. The engine is
// shut down (unless the test did it) and the database closed when the test
// ends.
func newTestEngine(t testing.TB) (*Engine, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	e, err := New(ctx, Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(ctx) })
	return e, d
}
