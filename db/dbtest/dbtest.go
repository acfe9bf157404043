// Package dbtest opens a fresh Switchboard SQLite file for a test: a real
// file, with the same settings as production, in the test's temporary
// directory.
package dbtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/switchboard-rtm/switchboard/db"
)

// Open opens a new database in tb's temporary directory and closes it when
// the test ends.
func Open(tb testing.TB) *sql.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), filepath.Join(tb.TempDir(), db.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}
