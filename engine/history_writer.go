package engine

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
)

// maxCommitBatch bounds the publications one transaction stores.
const maxCommitBatch = 512

// historyWriter stores publications in SQLite with group commit: a
// publication is still stored before it is delivered, but publications
// that arrive while a transaction is being committed wait for the next one
// and share it. SQLite has one writer at a time, so one transaction per
// publication capped the engine at a few thousand publications per second
// across all channels; a shared transaction costs a fraction of that per
// row.
//
// There is no goroutine of its own: the first publisher to find the writer
// idle commits (it leads), and when it is done it hands the lead to the
// oldest publication still waiting, which commits everything queued so far.
type historyWriter struct {
	db    *sql.DB
	stmts *brokerStmts

	mu    sync.Mutex
	queue []*historyWrite
	busy  bool // a leader is committing

	commits atomic.Uint64 // transactions committed, for tests and profiling
}

type brokerStmts struct{ createStream, insertHistory, trimHistory *sql.Stmt }

// historyWrite is one publication to store.
type historyWrite struct {
	ch        ChannelID
	epoch     string
	create    bool // insert the engine_streams row first
	p         *Publication
	trimBelow uint64 // if not 0, delete offsets up to this one

	err    error
	lead   bool          // set before signal: commit the queue
	signal chan struct{} // committed, or lead
}

// write stores w and returns when it is committed.
func (hw *historyWriter) write(w *historyWrite) error {
	w.signal = make(chan struct{}, 1)
	hw.mu.Lock()
	hw.queue = append(hw.queue, w)
	lead := !hw.busy
	hw.busy = true
	hw.mu.Unlock()
	if !lead {
		<-w.signal
		if !w.lead {
			return w.err
		}
	}
	hw.mu.Lock()
	n := min(len(hw.queue), maxCommitBatch)
	batch := append([]*historyWrite(nil), hw.queue[:n]...)
	hw.queue = append(hw.queue[:0], hw.queue[n:]...)
	hw.mu.Unlock()

	hw.commit(batch)
	for _, b := range batch {
		if b != w {
			b.signal <- struct{}{}
		}
	}

	hw.mu.Lock()
	if len(hw.queue) == 0 {
		hw.busy = false
		hw.mu.Unlock()
		return w.err
	}
	next := hw.queue[0]
	hw.mu.Unlock()
	next.lead = true
	next.signal <- struct{}{}
	return w.err
}

// commit stores batch in one transaction. If that fails, each write is
// retried alone, so one bad row (an app deleted meanwhile) fails only its
// own publication.
func (hw *historyWriter) commit(batch []*historyWrite) {
	// Not the publisher's context: its cancellation must not fail the
	// other publications in the batch. And one that can never be done:
	// with a cancellable context modernc.org/sqlite starts a watcher
	// goroutine for every statement. A locked database still ends in
	// SQLITE_BUSY after the busy timeout (see db.Open).
	ctx := context.Background()
	err := hw.commitTx(ctx, batch)
	if err == nil {
		return
	}
	if len(batch) == 1 {
		batch[0].err = err
		return
	}
	for _, w := range batch {
		w.err = hw.commitTx(ctx, []*historyWrite{w})
	}
}

func (hw *historyWriter) commitTx(ctx context.Context, batch []*historyWrite) (err error) {
	if len(batch) == 1 && !batch[0].create && batch[0].trimBelow == 0 {
		// One row: SQLite's implicit transaction saves two round trips.
		w := batch[0]
		if _, err := hw.stmts.insertHistory.ExecContext(ctx, w.ch.App, w.ch.Name, w.p.Offset, []byte(w.p.Data), w.p.From, w.p.Time); err != nil {
			return fmt.Errorf("store publication: %w", err)
		}
		hw.commits.Add(1)
		return nil
	}
	tx, err := hw.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store publication: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var create, insert, trim *sql.Stmt
	for _, w := range batch {
		if w.create {
			if create == nil {
				create = tx.StmtContext(ctx, hw.stmts.createStream)
			}
			if _, err := create.ExecContext(ctx, w.ch.App, w.ch.Name, w.epoch); err != nil {
				return fmt.Errorf("store stream: %w", err)
			}
		}
		if insert == nil {
			insert = tx.StmtContext(ctx, hw.stmts.insertHistory)
		}
		p := w.p
		if _, err := insert.ExecContext(ctx, w.ch.App, w.ch.Name, p.Offset, []byte(p.Data), p.From, p.Time); err != nil {
			return fmt.Errorf("store publication: %w", err)
		}
		if w.trimBelow > 0 {
			if trim == nil {
				trim = tx.StmtContext(ctx, hw.stmts.trimHistory)
			}
			if _, err := trim.ExecContext(ctx, w.ch.App, w.ch.Name, w.trimBelow); err != nil {
				return fmt.Errorf("trim history: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store publication: commit: %w", err)
	}
	hw.commits.Add(1)
	return nil
}
