package db

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"
)

// CheckpointInterval is how often Open's background goroutine copies the
// WAL into the database file.
const CheckpointInterval = time.Second

// autoCheckpointPages is SQLite's own checkpoint threshold per connection.
// It only matters if the background checkpoints cannot keep up (say, a
// long-running reader holds them back): 10,000 pages is about 40 MB of WAL.
const autoCheckpointPages = 10000

// checkpointLoop runs a PASSIVE checkpoint every interval until d is
// closed. PASSIVE never waits for readers or writers, and writers go on
// appending to the WAL while it copies, so no request waits for it.
func checkpointLoop(d *sql.DB, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for range t.C {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := d.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		cancel()
		if err != nil {
			if errors.Is(err, sql.ErrConnDone) || err.Error() == "sql: database is closed" {
				return
			}
			slog.Warn("sqlite: background checkpoint", "err", err)
		}
	}
}
