package support

import (
	"context"
	"sort"
)

// Queue returns the tickets staff still owe something, most urgent first:
// by due time of the first response (a breached one first), then those
// without a due time (answered, paused or without target), oldest first.
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
		di, dj := ts[i].Clock.Due, ts[j].Clock.Due
		waitI, waitJ := ts[i].RespondedAt.IsZero() && !di.IsZero(), ts[j].RespondedAt.IsZero() && !dj.IsZero()
		if waitI != waitJ {
			return waitI
		}
		if waitI && !di.Equal(dj) {
			return di.Before(dj)
		}
		return ts[i].CreatedAt.Before(ts[j].CreatedAt)
	})
	return ts, nil
}
