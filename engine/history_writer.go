package engine

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
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
//
// The writer has a connection of its own, with a large page cache: SQLite
// caches pages per connection, and a pool connection drops its cache when
// another one has written, so with the pool each commit read back from the
// WAL the pages it was about to change (with 1000 busy channels, the leaf
// pages of 1000 streams and their index pages, several times the default
// cache).
type historyWriter struct {
	db *sql.DB

	openOnce sync.Once
	openErr  error
	conn     *sql.Conn
	stmts    brokerStmts

	mu    sync.Mutex
	queue []*historyWrite
	busy  bool      // a leader is committing
	taken int       // publications in the leader's batch
	last  ChannelID // channel of the previous leader's own publication

	commits atomic.Uint64 // transactions committed, for tests and profiling
}

// brokerStmts are the writer's statements, prepared once: modernc.org/sqlite
// parses SQL passed as a string every time, BEGIN and COMMIT included.
// alive is prepared on the pool, the others on the writer's connection.
type brokerStmts struct{ createStream, insertHistory, trimHistory, begin, commit, alive *sql.Stmt }

func (s *brokerStmts) all() []*sql.Stmt {
	return []*sql.Stmt{s.createStream, s.insertHistory, s.trimHistory, s.begin, s.commit, s.alive}
}

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

// writerCacheKiB is the page cache of the writer's connection, in KiB.
const writerCacheKiB = 32 << 10

// open takes the writer's connection and prepares its statements.
func (hw *historyWriter) open() error {
	hw.openOnce.Do(func() {
		// Opened once for every later caller: not in the context of the
		// publication that happens to come first, whose end would fail
		// them all.
		ctx := context.Background()
		c, err := hw.db.Conn(ctx)
		if err != nil {
			hw.openErr = err
			return
		}
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", writerCacheKiB)); err != nil {
			c.Close()
			hw.openErr = err
			return
		}
		hw.conn = c
		if hw.openErr = prepareAll(ctx, c, []stmtSpec{
			{&hw.stmts.createStream, `INSERT OR IGNORE INTO engine_streams (app_id, channel, epoch, top_offset) VALUES (?, ?, ?, 0)`},
			// No trigger advances engine_streams.top_offset: see load.
			{&hw.stmts.insertHistory, `INSERT INTO engine_history (app_id, channel, offset, data, from_user, created_at) VALUES (?, ?, ?, ?, ?, ?)`},
			{&hw.stmts.trimHistory, `DELETE FROM engine_history WHERE app_id = ? AND channel = ? AND offset <= ?`},
			// IMMEDIATE takes the write lock up front (waiting out the busy
			// timeout), instead of failing the first insert.
			{&hw.stmts.begin, `BEGIN IMMEDIATE`},
			{&hw.stmts.commit, `COMMIT`},
		}); hw.openErr != nil {
			return
		}
		hw.stmts.alive, hw.openErr = hw.db.PrepareContext(ctx, `SELECT 1`)
	})
	if hw.openErr != nil {
		return fmt.Errorf("store publication: open the history writer: %w", hw.openErr)
	}
	return nil
}

// close releases the writer's statements and connection.
func (hw *historyWriter) close() {
	for _, st := range hw.stmts.all() {
		if st != nil {
			st.Close()
		}
	}
	if hw.conn != nil {
		hw.conn.Close()
	}
}

// write stores w and returns when it is committed.
func (hw *historyWriter) write(w *historyWrite) error {
	if err := hw.open(); err != nil {
		return err
	}
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
	// When publications come from more than one channel, let the
	// goroutines that are ready to run go first: on a busy server they are
	// mostly connections with a publication read and about to be queued
	// here, which then share this commit. On one CPU (GOMAXPROCS=1, a
	// pinned server) nothing else runs while the leader is in SQLite, so
	// without this a commit held one publication. Not for a run of one
	// channel, whose next publication waits for this one anyway: there
	// the ready goroutines are the subscribers' flushers, and yielding to
	// them for every publication wrote each frame on its own instead of
	// several per write (BenchmarkFanout1000Throughput fell tenfold).
	hw.mu.Lock()
	yield := hw.last != w.ch
	hw.last = w.ch
	hw.mu.Unlock()
	if yield {
		runtime.Gosched()
	}
	hw.mu.Lock()
	n := min(len(hw.queue), maxCommitBatch)
	batch := append([]*historyWrite(nil), hw.queue[:n]...)
	hw.queue = append(hw.queue[:0], hw.queue[n:]...)
	hw.taken = n
	hw.mu.Unlock()

	hw.commit(batch)
	for _, b := range batch {
		if b != w {
			b.signal <- struct{}{}
		}
	}

	hw.mu.Lock()
	hw.taken = 0
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

// alive fails once the database is closed. The writer's connection
// outlives a closed pool: a closed database (shutdown, or a test taking the
// disk away) must still fail the publication, as a pool connection would.
// A prepared SELECT 1 on the pool, where DB.PingContext parses one.
func (hw *historyWriter) alive(ctx context.Context) error {
	if _, err := hw.stmts.alive.ExecContext(ctx); err != nil {
		return fmt.Errorf("store publication: %w", err)
	}
	return nil
}

func (hw *historyWriter) commitTx(ctx context.Context, batch []*historyWrite) (err error) {
	if len(batch) == 1 && !batch[0].create && batch[0].trimBelow == 0 {
		// One row: SQLite's implicit transaction saves two round trips.
		if err := hw.alive(ctx); err != nil {
			return err
		}
		w := batch[0]
		if _, err := hw.stmts.insertHistory.ExecContext(ctx, w.ch.App, w.ch.Name, w.p.Offset, []byte(w.p.Data), w.p.From, w.p.Time); err != nil {
			return fmt.Errorf("store publication: %w", err)
		}
		hw.commits.Add(1)
		return nil
	}
	if err := hw.alive(ctx); err != nil {
		return err
	}
	// BEGIN and COMMIT as statements on the writer's own connection, not a
	// database/sql Tx: Tx.StmtContext prepares a statement of a sql.Conn
	// again for every transaction, which cost more than the rows.
	if _, err := hw.stmts.begin.ExecContext(ctx); err != nil {
		return fmt.Errorf("store publication: begin: %w", err)
	}
	defer func() {
		if err != nil {
			hw.conn.ExecContext(ctx, "ROLLBACK")
		}
	}()
	for _, w := range batch {
		if w.create {
			if _, err := hw.stmts.createStream.ExecContext(ctx, w.ch.App, w.ch.Name, w.epoch); err != nil {
				return fmt.Errorf("store stream: %w", err)
			}
		}
		p := w.p
		if _, err := hw.stmts.insertHistory.ExecContext(ctx, w.ch.App, w.ch.Name, p.Offset, []byte(p.Data), p.From, p.Time); err != nil {
			return fmt.Errorf("store publication: %w", err)
		}
		if w.trimBelow > 0 {
			if _, err := hw.stmts.trimHistory.ExecContext(ctx, w.ch.App, w.ch.Name, w.trimBelow); err != nil {
				return fmt.Errorf("trim history: %w", err)
			}
		}
	}
	if _, err := hw.stmts.commit.ExecContext(ctx); err != nil {
		return fmt.Errorf("store publication: commit: %w", err)
	}
	hw.commits.Add(1)
	return nil
}
