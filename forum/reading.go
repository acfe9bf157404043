package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Reading: what the topic lists show about readers, Discourse's way.
// Views are counted once per viewer, topic and day, in memory, and written
// in one transaction every Config.ViewFlush, so a topic page that is
// served from the cache costs no write per view. Signed-in readers get
// "new since your last visit": a visit ends after an hour without
// requests, and a topic is new when someone else was active in it after
// both the reader's previous visit and their last reading of the topic.

// visitGap is the quiet time after which the next request starts a visit.
const visitGap = time.Hour

// maxViewKeys bounds the memory of who viewed what today; past it the day
// starts over, which may count a viewer twice, never loses a view.
const maxViewKeys = 200_000

// viewCounter holds the views not yet written.
type viewCounter struct {
	mu      sync.Mutex
	day     string
	seen    map[viewKey]struct{}
	pending map[int64]int // topic ID → views to add
	flushed time.Time
}

type viewKey struct {
	topic  int64
	viewer string
}

// RecordView counts a view of topicID by viewer ("u:42" for a signed-in
// user, an address for others), at most once per viewer, topic and day.
// Views are written every Config.ViewFlush (by this call, when due) and by
// FlushViews.
func (s *Store) RecordView(ctx context.Context, topicID int64, viewer string) error {
	now := s.now()
	v := &s.views
	v.mu.Lock()
	if day := now.UTC().Format(time.DateOnly); day != v.day || len(v.seen) >= maxViewKeys {
		v.day, v.seen = day, map[viewKey]struct{}{}
	}
	k := viewKey{topicID, viewer}
	if _, dup := v.seen[k]; !dup {
		v.seen[k] = struct{}{}
		if v.pending == nil {
			v.pending = map[int64]int{}
		}
		v.pending[topicID]++
	}
	due := len(v.pending) > 0 && now.Sub(v.flushed) >= s.cfg.ViewFlush
	v.mu.Unlock()
	if due {
		return s.FlushViews(ctx)
	}
	return nil
}

// FlushViews writes the counted views. The write does not invalidate the
// cached topic pages: they do not show views.
func (s *Store) FlushViews(ctx context.Context) error {
	v := &s.views
	v.mu.Lock()
	pending := v.pending
	v.pending, v.flushed = nil, s.now()
	v.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := s.writeViews(ctx, pending)
	if err != nil {
		// Keep them for the next flush.
		v.mu.Lock()
		if v.pending == nil {
			v.pending = map[int64]int{}
		}
		for id, n := range pending {
			v.pending[id] += n
		}
		v.mu.Unlock()
	}
	return err
}

func (s *Store) writeViews(ctx context.Context, pending map[int64]int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("flush views: %w", err)
	}
	defer tx.Rollback()
	for id, n := range pending {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET views = views + ? WHERE id = ?`, n, id); err != nil {
			return fmt.Errorf("flush views: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("flush views: %w", err)
	}
	return nil
}

// Visit records a request by the signed-in user userID and returns when
// their previous visit ended (their sign-up time on the first visit).
func (s *Store) Visit(ctx context.Context, userID int64) (time.Time, error) {
	now := ms(s.now())
	var last, prev int64
	err := s.db.QueryRowContext(ctx, `SELECT last_seen_at, previous_visit_at FROM forum_visits WHERE user_id = ?`, userID).Scan(&last, &prev)
	switch {
	case err == nil:
		if now-last < int64(time.Minute/time.Millisecond) {
			return fromMS(prev), nil // seen a moment ago: no write
		}
		if now-last >= int64(visitGap/time.Millisecond) {
			prev = last // a new visit: the last one ended when last seen
		}
	case errors.Is(err, sql.ErrNoRows):
		if err := s.db.QueryRowContext(ctx, `SELECT created_at FROM forum_users WHERE id = ?`, userID).Scan(&prev); err != nil {
			return time.Time{}, fmt.Errorf("visit: %w", err)
		}
	default:
		return time.Time{}, fmt.Errorf("visit: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO forum_visits (user_id, last_seen_at, previous_visit_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, previous_visit_at = excluded.previous_visit_at`,
		userID, now, prev); err != nil {
		return time.Time{}, fmt.Errorf("visit: %w", err)
	}
	return fromMS(prev), nil
}

// MarkTopicRead records that userID has read topicID as it is now.
func (s *Store) MarkTopicRead(ctx context.Context, userID, topicID int64) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO forum_topic_reads (user_id, topic_id, read_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, topic_id) DO UPDATE SET read_at = excluded.read_at`, userID, topicID, ms(s.now())); err != nil {
		return fmt.Errorf("mark topic read: %w", err)
	}
	return nil
}

// MarkNew sets New on each topic with activity by someone other than
// userID after since (the end of their previous visit) and after they last
// read it.
func (s *Store) MarkNew(ctx context.Context, userID int64, since time.Time, topics []*Topic) error {
	if len(topics) == 0 {
		return nil
	}
	ids := make([]any, 0, len(topics)+1)
	ids = append(ids, userID)
	for _, t := range topics {
		ids = append(ids, t.ID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT topic_id, read_at FROM forum_topic_reads WHERE user_id = ? AND topic_id IN (?`+
		strings.Repeat(",?", len(topics)-1)+`)`, ids...)
	if err != nil {
		return fmt.Errorf("mark new: %w", err)
	}
	defer rows.Close()
	read := map[int64]time.Time{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return fmt.Errorf("mark new: %w", err)
		}
		read[id] = fromMS(at)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark new: %w", err)
	}
	for _, t := range topics {
		t.New = t.LastPosterID != userID && t.BumpedAt.After(since) && t.BumpedAt.After(read[t.ID])
	}
	return nil
}
