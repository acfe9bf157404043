package db

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	logs := &lockedBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunCheckpoints(ctx, d, time.Millisecond, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "background checkpoint") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no two failures logged in 10 s; log: %q", logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunCheckpoints did not return after its context ended")
	}
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("failures not logged as warnings: %q", logs.String())
	}
}

// lockedBuffer is a log destination safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
