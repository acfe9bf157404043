// Package db opens Switchboard's single SQLite file and applies each
// package's embedded, numbered migrations.
//
// Every domain package (engine, forum, status, ...) embeds its own
// migrations/NNN_name.sql files and calls Migrate with its own component
// name, so packages never share a migration sequence.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the SQLite file created inside the data directory.
const FileName = "switchboard.db"

// Open opens (creating if needed) the SQLite database at path with WAL
// journaling, foreign keys, a busy timeout, and IMMEDIATE write
// transactions, so that concurrent writers queue instead of failing with
// SQLITE_BUSY half-way through a transaction.
//
// A long-running program runs RunCheckpoints beside it, so that WAL
// checkpoints happen in the background rather than inside whichever write
// happens to cross SQLite's threshold: that write would otherwise wait for
// the copy and the fsync, which on this project's hot path (each engine
// publication is one INSERT) shows up as a tens-of-milliseconds stall
// every few hundred messages.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// A safety net only: RunCheckpoints keeps the WAL far below this.
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", autoCheckpointPages))
	q.Set("_txlock", "immediate")
	d, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d.SetMaxOpenConns(8)
	d.SetMaxIdleConns(8)
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("ping %s: %w", path, err)
	}
	if _, err := d.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL,
		version   INTEGER NOT NULL,
		name      TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
		PRIMARY KEY (component, version)
	)`); err != nil {
		d.Close()
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	return d, nil
}

// Migrate applies, in order, every file named NNN_description.sql in fsys
// that has not yet been recorded for component. Each file runs in its own
// transaction together with its bookkeeping row.
func Migrate(ctx context.Context, d *sql.DB, component string, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("migrate %s: read dir: %w", component, err)
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migrate %s: bad migration file name %q (want NNN_name.sql)", component, e.Name())
		}
		migs = append(migs, mig{v, e.Name()})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for _, m := range migs {
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE component = ? AND version = ?`, component, m.version).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(fsys, m.name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: begin: %w", component, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s %s: %w", component, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, name) VALUES (?, ?, ?)`, component, m.version, m.name); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: record %s: %w", component, m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: commit %s: %w", component, m.name, err)
		}
	}
	return nil
}
