package webhooks

import (
	"context"
	"fmt"
	"time"
)

// An event given up after MaxAge stays in the outbox as failed, with its
// body, so a developer who has fixed their endpoint can send it again
// from the console. A delivered event's row is gone: the receiver has it.

// FailedEvent is an event the endpoint never accepted.
type FailedEvent struct {
	EventID   string
	Type      string
	Attempts  int
	LastError string
	CreatedAt time.Time
}

// Failed lists the app's endpoint's failed events, newest first (at most
// KeepDeliveries).
func (s *Service) Failed(ctx context.Context, appID, endpointID string) ([]FailedEvent, error) {
	rows, err := s.st.db.QueryContext(ctx, `SELECT o.event_id, o.type, o.attempts, o.last_error, o.created_at FROM webhook_outbox o
		JOIN webhook_endpoints e ON e.id = o.endpoint_id
		WHERE o.endpoint_id = ? AND e.app_id = ? AND o.state = 'failed' ORDER BY o.seq DESC LIMIT ?`, endpointID, appID, KeepDeliveries)
	if err != nil {
		return nil, fmt.Errorf("failed events: %w", err)
	}
	defer rows.Close()
	var out []FailedEvent
	for rows.Next() {
		var f FailedEvent
		var created int64
		if err := rows.Scan(&f.EventID, &f.Type, &f.Attempts, &f.LastError, &created); err != nil {
			return nil, fmt.Errorf("failed events: %w", err)
		}
		f.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// Redeliver puts the app's endpoint's failed event back in line: it is
// attempted again now, with the same event ID, and retried as a new
// event would be. ErrNotFound if there is no such failed event.
func (s *Service) Redeliver(ctx context.Context, appID, endpointID, eventID string) error {
	res, err := s.st.db.ExecContext(ctx, `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_at = ?, created_at = ?
		WHERE endpoint_id = ? AND event_id = ? AND state = 'failed'
		AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE app_id = ?)`,
		time.Now().UnixMilli(), time.Now().UnixMilli(), endpointID, eventID, appID)
	if err != nil {
		return fmt.Errorf("redeliver: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("redeliver %s: %w", eventID, ErrNotFound)
	}
	s.mu.Lock()
	w := s.workers[endpointID]
	s.mu.Unlock()
	if w != nil {
		w.pending.Add(1)
		w.wake()
	}
	return nil
}
