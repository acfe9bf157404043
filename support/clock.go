package support

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// The first-response clock: from opening to staff's first public reply,
// less the time waiting on the customer, against the ticket's target, on
// the portal's schedule (sla.Target.Evaluate: the forum's arithmetic).

func loadPauses(ctx context.Context, q querier, ticketID int64) ([]sla.Pause, error) {
	rows, err := q.QueryContext(ctx, `SELECT from_ms, to_ms FROM support_pauses WHERE ticket_id = ? ORDER BY from_ms`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ticket pauses: %w", err)
	}
	defer rows.Close()
	var out []sla.Pause
	for rows.Next() {
		var from int64
		var to sql.NullInt64
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("ticket pauses: %w", err)
		}
		p := sla.Pause{From: time.UnixMilli(from)}
		if to.Valid {
			p.To = time.UnixMilli(to.Int64)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// evaluate is the ticket's first-response status at now. A ticket solved
// or closed before any staff reply stops its clock (sla.Stopped).
func (s *Service) evaluate(t *Ticket, pauses []sla.Pause, now time.Time) sla.Status {
	w := sla.Window{Start: t.CreatedAt, End: t.RespondedAt, Pauses: pauses}
	if t.RespondedAt.IsZero() && (t.State == StateSolved || t.State == StateClosed) {
		at := t.SolvedAt
		if at.IsZero() {
			at = t.UpdatedAt
		}
		st := t.Target.Evaluate(s.schedule(), sla.Window{Start: t.CreatedAt, End: at, Pauses: pauses}, at)
		st.State = sla.Stopped
		return st
	}
	if t.Target.IsZero() {
		return sla.Status{State: sla.NoTarget}
	}
	return t.Target.Evaluate(s.schedule(), w, now)
}

// evaluateNext is the awaited next response's status at now: from the
// customer's message (AwaitingSince) to now, less waits on the customer,
// against the next-response target. Zero when none is awaited.
func (s *Service) evaluateNext(t *Ticket, pauses []sla.Pause, now time.Time) sla.Status {
	if t.Awaiting() != "next" {
		return sla.Status{}
	}
	if t.NextTarget.IsZero() {
		return sla.Status{State: sla.NoTarget}
	}
	return t.NextTarget.Evaluate(s.schedule(), sla.Window{Start: t.AwaitingSince, Pauses: pauses}, now)
}

// refresh re-evaluates ticket id inside tx and stores the clock, which the
// staff queue sorts on.
func (s *Service) refresh(ctx context.Context, tx *sql.Tx, id int64) error {
	t, err := s.load(ctx, tx, id)
	if err != nil {
		return err
	}
	st := t.Clock
	if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET clock_state = ?, used_ms = ?, business_ms = ?, due_at = ?, at_risk_at = ? WHERE id = ?`,
		string(st.State), st.Used.Milliseconds(), st.Business.Milliseconds(), nullTime(st.Due), nullTime(st.AtRiskAt), id); err != nil {
		return fmt.Errorf("ticket clock: %w", err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}
