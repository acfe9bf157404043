package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/forum"
)

// change runs fn on ticket id in one transaction after the policy allowed
// act, then re-evaluates the clock.
func (s *Service) change(ctx context.Context, id int64, act Action, fn func(tx *sql.Tx, t *Ticket, a Actor, now int64) error) (*Ticket, error) {
	t, _, err := s.authorize(ctx, id, act)
	if err != nil {
		return nil, err
	}
	a := s.actor(ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("ticket %s: %w", act, err)
	}
	defer tx.Rollback()
	now := s.now().UnixMilli()
	if err := fn(tx, t, a, now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET updated_at = ? WHERE id = ?`, now, id); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", act, err)
	}
	if err := s.refresh(ctx, tx, id); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", act, err)
	}
	return s.load(ctx, s.db, id)
}

func validBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > BodyMax {
		return "", invalid("body", "tickets.error.body")
	}
	return body, nil
}

func endPause(ctx context.Context, tx *sql.Tx, id, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE support_pauses SET to_ms = ? WHERE ticket_id = ? AND to_ms IS NULL`, now, id); err != nil {
		return fmt.Errorf("ticket pause: %w", err)
	}
	return nil
}

func setState(ctx context.Context, tx *sql.Tx, id int64, st State) error {
	if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET state = ? WHERE id = ?`, string(st), id); err != nil {
		return fmt.Errorf("ticket state: %w", err)
	}
	return nil
}

// Reply adds a public message. Staff's first reply is the first response
// and stops the clock. A customer reply ends a wait; on a solved ticket it
// reopens it within ReopenWindow of solving, and after that (or on a
// closed ticket) it opens a linked follow-up ticket instead, which Reply
// returns.
func (s *Service) Reply(ctx context.Context, id int64, body string) (*Ticket, error) {
	body, err := validBody(body)
	if err != nil {
		return nil, err
	}
	html, err := s.render(body)
	if err != nil {
		return nil, err
	}
	t, _, err := s.authorize(ctx, id, ActionReply)
	if err != nil {
		return nil, err
	}
	a := s.actor(ctx)
	customer := !a.Staff
	if customer && (t.State == StateClosed || t.State == StateSolved && s.now().Sub(t.SolvedAt) > ReopenWindow) {
		p, err := s.TeamPlan(ctx, t.TeamID)
		if err != nil {
			return nil, err
		}
		target, next := s.targets(p, t.Kind, t.Priority)
		return s.insert(ctx, NewTicket{TeamID: t.TeamID, Kind: t.Kind, Subject: t.Subject, Body: body, Priority: t.Priority, AppID: t.AppID}, p, target, next, a.UserID, t.ID, nil)
	}
	return s.change(ctx, id, ActionReply, func(tx *sql.Tx, t *Ticket, a Actor, now int64) error {
		if err := addMessage(ctx, tx, id, a.UserID, a.Staff, false, body, html, now); err != nil {
			return err
		}
		switch {
		case a.Staff && t.RespondedAt.IsZero():
			if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET responded_at = ? WHERE id = ?`, now, id); err != nil {
				return fmt.Errorf("ticket reply: %w", err)
			}
		case a.Staff:
			// A next response: the awaited clock stops.
			if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET awaiting_since = NULL WHERE id = ?`, id); err != nil {
				return fmt.Errorf("ticket reply: %w", err)
			}
		}
		if customer && t.State == StateSolved {
			if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET solved_at = NULL WHERE id = ?`, id); err != nil {
				return fmt.Errorf("ticket reopen: %w", err)
			}
		}
		if customer && !t.RespondedAt.IsZero() && (t.AwaitingSince.IsZero() || t.State == StateSolved) {
			// After the first response, the customer's oldest unanswered
			// message starts the next-response clock (a reopening too).
			if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET awaiting_since = ? WHERE id = ?`, now, id); err != nil {
				return fmt.Errorf("ticket reply: %w", err)
			}
		}
		if customer && t.State == StateWaiting {
			if err := endPause(ctx, tx, id, now); err != nil {
				return err
			}
		}
		next := StateOpen
		if t.State == StateNew && customer {
			next = StateNew
		}
		return setState(ctx, tx, id, next)
	})
}

// Note adds an internal staff note: never shown to the customer, never a
// response.
func (s *Service) Note(ctx context.Context, id int64, body string) error {
	body, err := validBody(body)
	if err != nil {
		return err
	}
	html, err := s.render(body)
	if err != nil {
		return err
	}
	_, err = s.change(ctx, id, ActionNote, func(tx *sql.Tx, _ *Ticket, a Actor, now int64) error {
		return addMessage(ctx, tx, id, a.UserID, true, true, body, html, now)
	})
	return err
}

// Wait marks the ticket waiting on the customer: the clock pauses until
// the customer replies.
func (s *Service) Wait(ctx context.Context, id int64) error {
	_, err := s.change(ctx, id, ActionWait, func(tx *sql.Tx, t *Ticket, _ Actor, now int64) error {
		if t.State == StateWaiting {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_pauses (ticket_id, from_ms) VALUES (?, ?)`, id, now); err != nil {
			return fmt.Errorf("ticket wait: %w", err)
		}
		return setState(ctx, tx, id, StateWaiting)
	})
	return err
}

// Solve marks the ticket solved (the customer or staff).
func (s *Service) Solve(ctx context.Context, id int64) error {
	_, err := s.change(ctx, id, ActionSolve, func(tx *sql.Tx, _ *Ticket, _ Actor, now int64) error {
		if err := endPause(ctx, tx, id, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET solved_at = ? WHERE id = ?`, now, id); err != nil {
			return fmt.Errorf("ticket solve: %w", err)
		}
		return setState(ctx, tx, id, StateSolved)
	})
	return err
}

// Close closes the ticket (staff); a later customer reply opens a
// follow-up.
func (s *Service) Close(ctx context.Context, id int64) error {
	_, err := s.change(ctx, id, ActionClose, func(tx *sql.Tx, _ *Ticket, _ Actor, now int64) error {
		if err := endPause(ctx, tx, id, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET solved_at = coalesce(solved_at, ?) WHERE id = ?`, now, id); err != nil {
			return fmt.Errorf("ticket close: %w", err)
		}
		return setState(ctx, tx, id, StateClosed)
	})
	return err
}

// Escalate is the customer's one escalation: the priority goes up one
// level, the first-response target of the new priority on the ticket's
// plan applies from the ticket's opening, and its next-response target to
// the awaited next response from the message that started it.
func (s *Service) Escalate(ctx context.Context, id int64) (*Ticket, error) {
	return s.change(ctx, id, ActionEscalate, func(tx *sql.Tx, t *Ticket, _ Actor, _ int64) error {
		p, err := s.Plan(ctx, t.PlanID)
		if err != nil {
			return err
		}
		next := t.Priority.up()
		target, nextTarget := p.Targets[next], p.Next[next]
		if next == Urgent {
			// An event running when the ticket was opened gives its target.
			if during, err := s.duringEvent(ctx, t.TeamID, t.CreatedAt); err != nil {
				return err
			} else if during {
				target = EventTarget
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET priority = ?, escalated = 1, first_ms = ?, first_basis = ?, next_ms = ?, next_basis = ? WHERE id = ?`,
			string(next), target.Duration.Milliseconds(), string(orBusiness(target)), nextTarget.Duration.Milliseconds(), string(orBusiness(nextTarget)), id); err != nil {
			return fmt.Errorf("ticket escalate: %w", err)
		}
		return nil
	})
}

// SecondLine escalates the ticket to the second line (staff).
func (s *Service) SecondLine(ctx context.Context, id int64) error {
	_, err := s.change(ctx, id, ActionSecondLine, func(tx *sql.Tx, _ *Ticket, _ Actor, _ int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET line = 2 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("ticket second line: %w", err)
		}
		return nil
	})
	return err
}

// Assign gives the ticket to a staff member: the signed-in one to claim,
// another to reassign, 0 to unclaim.
// Anyone else must be staff too (ErrInvalid otherwise).
func (s *Service) Assign(ctx context.Context, id, userID int64) error {
	_, err := s.change(ctx, id, ActionAssign, func(tx *sql.Tx, _ *Ticket, a Actor, _ int64) error {
		if userID != 0 && userID != a.UserID {
			if s.cfg.Users == nil {
				return invalid("assignee", "tickets.error.assignee")
			}
			u, err := s.cfg.Users.FindUser(ctx, userID)
			if errors.Is(err, forum.ErrNotFound) || err == nil && !u.Role.Team() {
				return invalid("assignee", "tickets.error.assignee")
			}
			if err != nil {
				return fmt.Errorf("ticket assign: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_tickets SET assignee_id = ? WHERE id = ?`, userID, id); err != nil {
			return fmt.Errorf("ticket assign: %w", err)
		}
		return nil
	})
	return err
}
