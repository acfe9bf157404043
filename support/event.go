package support

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/sla"
)

// EventTarget is the first-response target of an urgent ticket opened
// during a registered event: 15 minutes, around the clock.
var EventTarget = sla.Target{Duration: 15 * time.Minute, Basis: sla.CalendarTime}

// MaxEventLength is the longest event window.
const MaxEventLength = 14 * 24 * time.Hour

// Event is a launch or live event a Premium team registered.
type Event struct {
	ID        int64
	TeamID    int64
	Name      string
	Start     time.Time
	End       time.Time
	PeakConns int64 // expected peak concurrent connections
	PeakMsgs  int64 // expected peak messages per second
}

// NewEvent is what a team registers.
type NewEvent struct {
	TeamID     int64
	Name       string
	Start, End time.Time
	PeakConns  int64
	PeakMsgs   int64
}

// RegisterEvent registers an event for a team on a plan with urgent
// support (Premium): during it the team's urgent tickets are due within
// EventTarget. Members of the team only.
func (s *Service) RegisterEvent(ctx context.Context, in NewEvent) (*Event, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	member, err := s.cfg.Teams.IsMember(ctx, in.TeamID, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("register event: %w", err)
	}
	p, err := s.TeamPlan(ctx, in.TeamID)
	if err != nil {
		return nil, err
	}
	if err := Can(a, ActionOpen, Resource{Member: member, Tickets: p.Tickets}); err != nil {
		return nil, err
	}
	if !p.Urgent {
		return nil, &Error{Kind: ErrForbidden, Field: "plan", ID: "tickets.error.events_premium"}
	}
	in.Name = strings.TrimSpace(in.Name)
	now := s.now()
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 100:
		return nil, invalid("name", "tickets.error.event_name")
	case !in.End.After(in.Start) || in.End.Sub(in.Start) > MaxEventLength || !in.End.After(now):
		return nil, invalid("end", "tickets.error.event_window")
	case in.PeakConns < 0 || in.PeakMsgs < 0:
		return nil, invalid("peak", "tickets.error.event_peak")
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO support_events (team_id, name, starts_at, ends_at, peak_conns, peak_msgs, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.TeamID, in.Name, in.Start.UnixMilli(), in.End.UnixMilli(), in.PeakConns, in.PeakMsgs, a.UserID, now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("register event: %w", err)
	}
	id, _ := res.LastInsertId()
	return &Event{ID: id, TeamID: in.TeamID, Name: in.Name, Start: in.Start, End: in.End, PeakConns: in.PeakConns, PeakMsgs: in.PeakMsgs}, nil
}

// Events returns the events not yet over, soonest first: every team's for
// staff (the queue's calendar), the viewer's teams' otherwise.
func (s *Service) Events(ctx context.Context) ([]Event, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	evs, err := s.events(ctx, `WHERE ends_at > ? ORDER BY starts_at, id`, s.now().UnixMilli())
	if err != nil || a.Staff {
		return evs, err
	}
	var mine []Event
	for _, e := range evs {
		if ok, err := s.cfg.Teams.IsMember(ctx, e.TeamID, a.UserID); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		} else if ok {
			mine = append(mine, e)
		}
	}
	return mine, nil
}

func (s *Service) events(ctx context.Context, where string, args ...any) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, team_id, name, starts_at, ends_at, peak_conns, peak_msgs FROM support_events `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var start, end int64
		if err := rows.Scan(&e.ID, &e.TeamID, &e.Name, &start, &end, &e.PeakConns, &e.PeakMsgs); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		e.Start, e.End = time.UnixMilli(start), time.UnixMilli(end)
		out = append(out, e)
	}
	return out, rows.Err()
}

// duringEvent reports whether the team has an event running at now.
func (s *Service) duringEvent(ctx context.Context, teamID int64, now time.Time) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM support_events WHERE team_id = ? AND starts_at <= ? AND ends_at > ?`,
		teamID, now.UnixMilli(), now.UnixMilli()).Scan(&n); err != nil {
		return false, fmt.Errorf("event window: %w", err)
	}
	return n > 0, nil
}
