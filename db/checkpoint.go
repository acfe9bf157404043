package db

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// CheckpointInterval is how often RunCheckpoints copies the WAL into the
// database file.
const CheckpointInterval = time.Second

// autoCheckpointPages is SQLite's own checkpoint threshold per connection.
// It only matters if the background checkpoints cannot keep up (say, a
// long-running reader holds them back) or do not run (the short-lived
// commands): 10,000 pages is about 40 MB of WAL.
const autoCheckpointPages = 10000

// checkpointTimeout bounds one checkpoint.
const checkpointTimeout = 30 * time.Second

// RunCheckpoints runs a PASSIVE checkpoint of d every interval until ctx
// ends; the caller ends it before closing d. PASSIVE never waits for
// readers or writers, and writers go on appending to the WAL while it
// copies, so no request waits for it. Failures are logged to log and the
// next tick tries again.
func RunCheckpoints(ctx context.Context, d *sql.DB, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
		_, err := d.ExecContext(cctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "sqlite: background checkpoint", "err", err)
		}
	}
}
