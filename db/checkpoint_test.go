package db

import (
	"context"
	"io"
	"log/slog"
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
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	go RunCheckpoints(cctx, d, CheckpointInterval, slog.New(slog.NewTextHandler(io.Discard, nil)))
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

// RunCheckpoints reports failures through the caller's logger, keeps
// trying, and returns as soon as its context ends.
func TestRunCheckpointsStopsAndLogs(t *testing.T) {
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	d.Close() // every checkpoint now fails
	records := make(recordChan, 16)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunCheckpoints(ctx, d, time.Millisecond, slog.New(records))
	}()
	timeout := time.After(10 * time.Second)
	for i := 0; i < 2; i++ { // two failures: it went on after the first
		select {
		case r := <-records:
			if r.Level != slog.LevelWarn || !strings.Contains(r.Message, "background checkpoint") {
				t.Errorf("logged %s %q, want a warning about the background checkpoint", r.Level, r.Message)
			}
		case <-timeout:
			t.Fatalf("%d failures logged in 10 s, want 2", i)
		}
	}
	stop()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunCheckpoints did not return after its context ended")
	}
}

// recordChan is a slog.Handler that passes records to the test (and drops
// them when the test is not reading).
type recordChan chan slog.Record

func (c recordChan) Enabled(context.Context, slog.Level) bool { return true }
func (c recordChan) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c recordChan) WithGroup(string) slog.Handler            { return c }
func (c recordChan) Handle(_ context.Context, r slog.Record) error {
	select {
	case c <- r:
	default:
	}
	return nil
}
