package forum

import (
	"context"
	"database/sql"
	"fmt"
)

// hotQueries are prepared once, when the Store opens. Parsing SQL was
// half the cost of a topic page; database/sql re-uses a statement prepared
// on a connection for every later transaction on that connection.
//
// Statements are prepared only at Open, never lazily: preparing on the
// *sql.DB takes a second pooled connection, and a transaction doing that
// while every other connection waits for the write lock would deadlock
// the pool.
var hotQueries = []string{qTopicByID, qCategoryByID, qTopicPosts, qViewerVotes, qViewerWatch, qSession, qUserByID}

// stmtCache maps query text to its prepared statement. It is read-only
// after Open.
type stmtCache struct {
	m map[string]*sql.Stmt
}

func prepareHot(ctx context.Context, d *sql.DB) (*stmtCache, error) {
	c := &stmtCache{m: map[string]*sql.Stmt{}}
	for _, q := range hotQueries {
		st, err := d.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		c.m[q] = st
	}
	return c, nil
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// QueryContext runs query in the transaction, through its prepared
// statement when it is a hot query.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts.m[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, through its prepared
// statement when it is a hot query.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts.m[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// Close releases the Store's prepared statements. The *sql.DB stays open:
// it belongs to the caller.
func (s *Store) Close() error {
	// Views counted since the last flush are written before closing.
	err := s.FlushViews(context.Background())
	s.stmts.close()
	return err
}
