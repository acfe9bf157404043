package content

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrUnknownPage is returned for feedback about a page that does not exist.
var ErrUnknownPage = errors.New("content: unknown page")

// FeedbackStore keeps the answers to "Was this page helpful?". A visitor
// has one vote per page and language; voting again replaces it.
type FeedbackStore struct {
	db  *sql.DB
	now func() time.Time
}

// NewFeedbackStore applies the content migrations and returns the store.
func NewFeedbackStore(ctx context.Context, d *sql.DB, now func() time.Time) (*FeedbackStore, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	if err := db.Migrate(ctx, d, "content", sub); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &FeedbackStore{db: d, now: now}, nil
}

// Vote records visitor's answer for the page (lang, path). visitor is an
// opaque, already-hashed visitor ID.
func (s *FeedbackStore) Vote(ctx context.Context, lang, path, visitor string, helpful bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO content_feedback (lang, path, visitor, helpful, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (lang, path, visitor) DO UPDATE SET helpful = excluded.helpful, updated_at = excluded.updated_at`,
		lang, path, visitor, helpful, s.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("feedback vote %s/%s: %w", lang, path, err)
	}
	return nil
}

// Tally is the count of answers for one page.
type Tally struct {
	Lang, Path string
	Yes, No    int
}

// Tallies returns the answers per page, most "no" answers first: the
// pages readers find least helpful.
func (s *FeedbackStore) Tallies(ctx context.Context) ([]Tally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT lang, path, sum(helpful), sum(1 - helpful) FROM content_feedback
		GROUP BY lang, path ORDER BY sum(1 - helpful) DESC, lang, path`)
	if err != nil {
		return nil, fmt.Errorf("feedback tallies: %w", err)
	}
	defer rows.Close()
	var out []Tally
	for rows.Next() {
		var t Tally
		if err := rows.Scan(&t.Lang, &t.Path, &t.Yes, &t.No); err != nil {
			return nil, fmt.Errorf("feedback tallies: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
