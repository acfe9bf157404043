package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// RecomputeStatus is the progress of the latest recompute of stored
// results after a calendar change (forum_sla_recompute).
type RecomputeStatus struct {
	Running    bool      `json:"running"`
	Reason     string    `json:"reason"` // the region and year installed: "cn 2028"
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"` // zero while running
	Total      int       `json:"total"`       // topics whose window touches the changed dates
	Done       int       `json:"done"`
	Changed    int       `json:"changed"` // of those, topics whose stored result changed
}

// recomputer runs one background recompute at a time; a new calendar
// change cancels the one running and starts over with the new schedule.
type recomputer struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	lo, hi time.Time // the span of the running recompute
}

// start recomputes, in a goroutine, every stored result whose window
// touches [lo, hi): topics created before hi that were still measured
// (updated) at or after lo, or are still awaited. A recompute still
// running is stopped and its span joins the new one, so none is lost.
func (r *recomputer) start(x *SLA, reason string, lo, hi time.Time) {
	r.mu.Lock()
	running := r.cancel != nil
	plo, phi := r.lo, r.hi
	r.mu.Unlock()
	if running {
		r.stop()
		lo, hi = minTime(lo, plo), maxTime(hi, phi)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done, r.lo, r.hi = cancel, make(chan struct{}), lo, hi
	done := r.done
	go func() {
		defer close(done)
		if err := x.recompute(ctx, reason, lo, hi); err != nil && ctx.Err() == nil {
			x.log.ErrorContext(ctx, "sla recompute", "reason", reason, "err", err)
		}
	}()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// resumeRecompute restarts a recompute that a stop or crash interrupted:
// the span it was given is lost, so it covers the whole year it was for
// (reason "cn 2028").
func (x *SLA) resumeRecompute(ctx context.Context) error {
	rc, ok, err := x.LastRecompute(ctx)
	if err != nil || !ok || !rc.Running || x.cals == nil {
		return err
	}
	var region string
	var year int
	if _, err := fmt.Sscanf(rc.Reason, "%s %d", &region, &year); err != nil {
		return nil
	}
	loc := x.Schedule().Location()
	x.log.InfoContext(ctx, "sla recompute resumed", "reason", rc.Reason)
	x.cals.recompute.start(x, rc.Reason, time.Date(year-1, 12, 1, 0, 0, 0, 0, loc), time.Date(year+1, 2, 1, 0, 0, 0, 0, loc))
	return nil
}

// stop cancels a running recompute and waits for it.
func (r *recomputer) stop() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel, r.done = nil, nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// wait blocks until the running recompute, if any, ends or ctx does.
func (r *recomputer) wait(ctx context.Context) error {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops background work (a running recompute; the next start
// resumes nothing, but every topic is re-measured on its next event).
func (x *SLA) Close() {
	if x.cals != nil {
		x.cals.recompute.stop()
	}
}

// WaitRecompute waits until a running recompute has finished.
func (x *SLA) WaitRecompute(ctx context.Context) error {
	if x.cals == nil {
		return nil
	}
	return x.cals.recompute.wait(ctx)
}

func (x *SLA) recompute(ctx context.Context, reason string, lo, hi time.Time) error {
	ids, err := queryIDs(ctx, x.st.db, `SELECT topic_id FROM forum_sla_topics
		WHERE created_at < ? AND (awaiting > 0 OR updated_at >= ?) ORDER BY topic_id`, ms(hi), ms(lo))
	if err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	started := ms(x.st.now())
	if _, err := x.st.db.ExecContext(ctx, `INSERT INTO forum_sla_recompute (id, started_at, finished_at, reason, total, done, changed)
		VALUES (1, ?, NULL, ?, ?, 0, 0) ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL,
		reason = excluded.reason, total = excluded.total, done = 0, changed = 0`, started, reason, len(ids)); err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	x.log.InfoContext(ctx, "sla recompute started", "reason", reason, "topics", len(ids))
	changed := 0
	progress := func(done int, finished bool) error {
		var fin any
		if finished {
			fin = ms(x.st.now())
		}
		_, err := x.st.db.ExecContext(ctx, `UPDATE forum_sla_recompute SET done = ?, changed = ?, finished_at = ? WHERE id = 1`, done, changed, fin)
		return err
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		before, err := x.TopicSLA(ctx, id)
		if err != nil {
			return fmt.Errorf("recompute %d: %w", id, err)
		}
		if err := x.Refresh(ctx, id); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		after, err := x.TopicSLA(ctx, id)
		if err != nil {
			return fmt.Errorf("recompute %d: %w", id, err)
		}
		if resultChanged(before, after) {
			changed++
		}
		if (i+1)%50 == 0 {
			if err := progress(i+1, false); err != nil {
				return fmt.Errorf("recompute: %w", err)
			}
		}
	}
	if err := progress(len(ids), true); err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	x.log.InfoContext(ctx, "sla recompute finished", "reason", reason, "topics", len(ids), "changed", changed)
	return nil
}

// resultChanged reports whether a re-measurement changed what pages show.
func resultChanged(a, b *TopicSLA) bool {
	return a.First.Status.Business != b.First.Status.Business || !a.First.Status.Due.Equal(b.First.Status.Due) ||
		a.First.Status.State != b.First.Status.State || a.Next.Status.Business != b.Next.Status.Business ||
		!a.Next.Status.Due.Equal(b.Next.Status.Due) || a.Next.Status.State != b.Next.Status.State ||
		a.SolutionBusiness != b.SolutionBusiness
}

// LastRecompute returns the latest recompute's progress; ok is false when
// calendars never changed.
func (x *SLA) LastRecompute(ctx context.Context) (st RecomputeStatus, ok bool, err error) {
	var started int64
	var finished sql.NullInt64
	err = x.st.db.QueryRowContext(ctx, `SELECT started_at, finished_at, reason, total, done, changed FROM forum_sla_recompute WHERE id = 1`).
		Scan(&started, &finished, &st.Reason, &st.Total, &st.Done, &st.Changed)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("last recompute: %w", err)
	}
	st.StartedAt, st.FinishedAt, st.Running = fromMS(started), nullMS(finished), !finished.Valid
	return st, true, nil
}
