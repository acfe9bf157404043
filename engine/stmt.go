package engine

import (
	"context"
	"database/sql"
	"fmt"
)

// stmtSpec is a statement to prepare once and where to keep it.
type stmtSpec struct {
	to  **sql.Stmt
	sql string
}

// preparer is a *sql.DB or a *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// prepareAll prepares every spec on p. On an error it closes the ones it
// prepared and leaves them nil.
func prepareAll(ctx context.Context, p preparer, specs []stmtSpec) error {
	for i, s := range specs {
		st, err := p.PrepareContext(ctx, s.sql)
		if err != nil {
			closeAll(specs[:i])
			return fmt.Errorf("prepare: %w", err)
		}
		*s.to = st
	}
	return nil
}

// closeAll closes the prepared statements of specs.
func closeAll(specs []stmtSpec) {
	for _, s := range specs {
		if *s.to != nil {
			(*s.to).Close()
			*s.to = nil
		}
	}
}
