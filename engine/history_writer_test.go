package engine

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Publications that arrive while SQLite is busy share the next
// transaction: 50 publishes queued behind a held write lock take at most
// two commits (the leader's batch, then everyone else's), not 50, and
// every one of them is stored.
func TestGroupCommitSharesTransactions(t *testing.T) {
	g := newGroupCommitTest(t)
	const n = 50
	errs := g.publishBehindLock(n, func(i int) string { return g.a.ID }, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	// The leader's batch (which may already hold some of the others, see
	// write), then everyone else's.
	if c := g.b.writer.commits.Load(); c < 1 || c > 2 {
		t.Fatalf("%d commits for %d publications, want 1 or 2", c, n)
	}
	if rows := g.rows(g.a.ID); rows != n {
		t.Fatalf("%d rows stored, want %d", rows, n)
	}
}

// A row that cannot be stored fails only its own publication: the others
// in its transaction are retried one by one and stored.
func TestGroupCommitIsolatesABadRow(t *testing.T) {
	g := newGroupCommitTest(t)
	doomed, err := g.e.CreateApp(g.ctx, "doomed")
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	app := func(i int) string {
		if i == n/2 {
			return doomed.ID
		}
		return g.a.ID
	}
	// While the lock is held, the doomed app's row goes away, so its
	// queued publication breaks the foreign key.
	errs := g.publishBehindLock(n, app, func(lock *sql.Conn) {
		if _, err := lock.ExecContext(g.ctx, `DELETE FROM engine_apps WHERE id = ?`, doomed.ID); err != nil {
			t.Fatal(err)
		}
	})
	for i, err := range errs {
		if (err != nil) != (i == n/2) {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if rows := g.rows(g.a.ID); rows != n-1 {
		t.Fatalf("%d rows stored, want %d", rows, n-1)
	}
}

type groupCommitTest struct {
	t   *testing.T
	ctx context.Context
	d   *sql.DB
	e   *Engine
	b   *MemoryBroker
	a   App
}

func newGroupCommitTest(t *testing.T) *groupCommitTest {
	ctx := context.Background()
	e, d := newTestEngine(t)
	a, err := e.CreateApp(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	return &groupCommitTest{t: t, ctx: ctx, d: d, e: e, b: e.broker.(*MemoryBroker), a: a}
}

// publishBehindLock holds SQLite's write lock while n publications (the
// i-th to app(i), each on its own channel) queue up, runs during(lock) if
// given, releases the lock and returns each publication's error.
func (g *groupCommitTest) publishBehindLock(n int, app func(int) string, during func(*sql.Conn)) []error {
	t := g.t
	lock, err := g.d.Conn(g.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(g.ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = g.e.Publish(g.ctx, app(i), fmt.Sprintf("c%d", i), []byte(`{"i":1}`))
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.b.writer.mu.Lock()
		queued := len(g.b.writer.queue) + g.b.writer.taken // the leader's batch waits for the lock
		g.b.writer.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d publications queued, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
	if during != nil {
		during(lock)
	}
	if _, err := lock.ExecContext(g.ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return errs
}

func (g *groupCommitTest) rows(app string) int {
	var n int
	if err := g.d.QueryRowContext(g.ctx, `SELECT count(*) FROM engine_history WHERE app_id = ?`, app).Scan(&n); err != nil {
		g.t.Fatal(err)
	}
	return n
}
