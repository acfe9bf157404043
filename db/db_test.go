package db

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestOpenAndMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", FileName)
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	var mode string
	if err := d.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := d.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v; want 1", fk, err)
	}

	fsys := fstest.MapFS{
		"001_a.sql": {Data: []byte(`CREATE TABLE a (id INTEGER PRIMARY KEY);`)},
		"002_b.sql": {Data: []byte(`INSERT INTO a (id) VALUES (1);`)},
	}
	for i := 0; i < 2; i++ { // the second run must be a no-op, not a duplicate insert
		if err := Migrate(ctx, d, "test", fsys); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	var n int
	d.QueryRow(`SELECT count(*) FROM a`).Scan(&n)
	if n != 1 {
		t.Fatalf("rows in a = %d, want 1 (migration applied once)", n)
	}

	bad := fstest.MapFS{"003_bad.sql": {Data: []byte(`CREATE TABLE nope (`)}}
	if err := Migrate(ctx, d, "test", bad); err == nil {
		t.Fatal("broken migration: got nil error")
	}
	if err := Migrate(ctx, d, "other", fstest.MapFS{"x.sql": {Data: []byte(`SELECT 1`)}}); err == nil {
		t.Fatal("misnamed migration file: got nil error")
	}
}
