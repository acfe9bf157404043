package engine

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"switchboard/db"
)

// newTestEngine starts an engine on a fresh SQLite file. The engine is
// shut down (unless the test did it) and the database closed when the test
// ends.
func newTestEngine(t *testing.T) (*Engine, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e, err := New(ctx, Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(ctx) })
	return e, d
}
