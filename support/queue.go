package support

import (
	"context"
	"sort"
	"time"
)

// Due is when the awaited response breaches its target: zero when none is
// awaited, the clock is paused, or there is no target. The staff queue
// sorts tickets and forum topics together on it.
func (t *Ticket) Due() time.Time {
	_, st, _, ok := t.AwaitedClock()
	if !ok || st.Paused {
		return time.Time{}
	}
	return st.Due
}

// Queue returns the tickets staff still owe something, most urgent first:
// by due time of the awaited first or next response (a breached one
// first), then those without a due time (answered, paused or without
// target), oldest first.
// planID "" means every plan.
func (s *Service) Queue(ctx context.Context, planID string) ([]*Ticket, error) {
	if !s.actor(ctx).Staff {
		return nil, ErrForbidden
	}
	where, args := `WHERE state IN ('new', 'open', 'waiting')`, []any{}
	if planID != "" {
		where += ` AND plan_id = ?`
		args = append(args, planID)
	}
	ts, err := s.query(ctx, where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ts, func(i, j int) bool {
		di, dj := ts[i].Due(), ts[j].Due()
		if di.IsZero() != dj.IsZero() {
			return !di.IsZero()
		}
		if !di.Equal(dj) {
			return di.Before(dj)
		}
		return ts[i].CreatedAt.Before(ts[j].CreatedAt)
	})
	return ts, nil
}
