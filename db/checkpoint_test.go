package db

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Committed rows reach the database file by the background checkpoint,
// long before SQLite's own threshold would copy them, so no write has to
// stop and do it.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.ExecContext(ctx, `CREATE TABLE t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 1000)
	const rows = 2000 // about 2,000 WAL frames: well under autoCheckpointPages
	for range rows {
		if _, err := d.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, row); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * CheckpointInterval)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= rows*1000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes after %s; the rows are still only in the WAL", fi.Size(), 5*CheckpointInterval)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
