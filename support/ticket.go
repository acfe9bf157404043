package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/sla"
)

// State is where a ticket stands.
type State string

const (
	StateNew     State = "new"     // opened, no staff reply yet
	StateOpen    State = "open"    // in progress
	StateWaiting State = "waiting" // waiting on the customer: the clock is paused
	StateSolved  State = "solved"  // a customer reply within ReopenWindow reopens it
	StateClosed  State = "closed"
)

// Kinds of ticket.
const (
	KindSupport  = "support"
	KindPresales = "presales" // a pre-sales consultation: no plan needed
)

// ReopenWindow is how long after solving a customer reply reopens a
// ticket; a later reply starts a linked follow-up ticket.
const ReopenWindow = 7 * 24 * time.Hour

// Input limits, in characters.
const (
	SubjectMin = 5
	SubjectMax = 150
	BodyMax    = 20000
	ImpactMax  = 200
)

// Ticket is one support ticket.
type Ticket struct {
	ID          int64
	TeamID      int64
	OpenedBy    int64
	PlanID      string
	Kind        string
	Subject     string
	Priority    Priority
	Impact      string
	AppID       string
	State       State
	AssigneeID  int64
	Line        int // 1, or 2 once escalated to the second line
	Escalated   bool
	FollowUpOf  int64
	Target      sla.Target // the first-response target
	NextTarget  sla.Target // the next-response target
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SolvedAt    time.Time
	RespondedAt time.Time // staff's first public reply; zero: none yet
	// AwaitingSince is the customer's oldest message after staff's last
	// public reply, once the first response is given: a next response is
	// awaited from then. Zero: none is.
	AwaitingSince time.Time
	// Clock is the first-response clock evaluated when the ticket was read.
	Clock sla.Status
	// NextClock is the next-response clock while one is awaited (else
	// zero).
	NextClock sla.Status
}

// Awaiting says which response staff owe: "first", "next", or "" (none:
// answered, solved or closed).
func (t *Ticket) Awaiting() string {
	switch {
	case t.State == StateSolved || t.State == StateClosed:
		return ""
	case t.RespondedAt.IsZero():
		return "first"
	case !t.AwaitingSince.IsZero():
		return "next"
	}
	return ""
}

// AwaitedClock is the clock of the awaited response, with its start and
// target; ok is false when none is awaited.
func (t *Ticket) AwaitedClock() (start time.Time, st sla.Status, target sla.Target, ok bool) {
	switch t.Awaiting() {
	case "first":
		return t.CreatedAt, t.Clock, t.Target, true
	case "next":
		return t.AwaitingSince, t.NextClock, t.NextTarget, true
	}
	return time.Time{}, sla.Status{}, sla.Target{}, false
}

// Message is one message of a ticket.
type Message struct {
	ID        int64
	AuthorID  int64 // 0: the system (escalations, reopenings)
	Staff     bool
	Note      bool // an internal staff note
	Body      string
	HTML      string
	CreatedAt time.Time
}

// NewTicket is what a customer submits.
type NewTicket struct {
	TeamID   int64
	Kind     string // KindSupport (default) or KindPresales
	Subject  string
	Body     string
	Priority Priority
	Impact   string // required for urgent: one line
	AppID    string // optional: one of the team's apps
	// Diagnostics asks for a snapshot of the app's last hour of usage and
	// health (DiagnosticsWindow) to be attached; it needs AppID.
	Diagnostics bool
}

const ticketCols = `id, team_id, opened_by, plan_id, kind, subject, priority, impact, app_id, state, assignee_id, line, escalated,
	follow_up_of, first_ms, first_basis, created_at, updated_at, solved_at, responded_at, next_ms, next_basis, awaiting_since`

func scanTicket(row interface{ Scan(...any) error }) (*Ticket, error) {
	var t Ticket
	var prio, state, basis string
	var follow, solved, responded, awaiting sql.NullInt64
	var firstMS, created, updated, nextMS int64
	var nextBasis string
	if err := row.Scan(&t.ID, &t.TeamID, &t.OpenedBy, &t.PlanID, &t.Kind, &t.Subject, &prio, &t.Impact, &t.AppID, &state, &t.AssigneeID,
		&t.Line, &t.Escalated, &follow, &firstMS, &basis, &created, &updated, &solved, &responded, &nextMS, &nextBasis, &awaiting); err != nil {
		return nil, err
	}
	if nextMS > 0 {
		t.NextTarget = sla.Target{Duration: time.Duration(nextMS) * time.Millisecond, Basis: sla.Basis(nextBasis)}
	}
	if awaiting.Valid {
		t.AwaitingSince = time.UnixMilli(awaiting.Int64)
	}
	t.Priority, t.State, t.FollowUpOf = Priority(prio), State(state), follow.Int64
	if firstMS > 0 {
		t.Target = sla.Target{Duration: time.Duration(firstMS) * time.Millisecond, Basis: sla.Basis(basis)}
	}
	t.CreatedAt, t.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	if solved.Valid {
		t.SolvedAt = time.UnixMilli(solved.Int64)
	}
	if responded.Valid {
		t.RespondedAt = time.UnixMilli(responded.Int64)
	}
	return &t, nil
}

// validate checks and normalizes a new ticket against its plan.
func (in *NewTicket) validate(p *Plan) error {
	in.Subject = strings.TrimSpace(in.Subject)
	in.Body = strings.TrimSpace(in.Body)
	in.Impact = strings.TrimSpace(in.Impact)
	if n := utf8.RuneCountInString(in.Subject); n < SubjectMin || n > SubjectMax {
		return invalid("subject", "tickets.error.subject")
	}
	if in.Body == "" || utf8.RuneCountInString(in.Body) > BodyMax {
		return invalid("body", "tickets.error.body")
	}
	if in.Kind == "" {
		in.Kind = KindSupport
	}
	switch in.Kind {
	case KindPresales:
		in.Priority, in.Impact = Normal, ""
		return nil
	case KindSupport:
	default:
		return invalid("kind", "tickets.error.kind")
	}
	if in.Priority == "" {
		in.Priority = Normal
	}
	if !in.Priority.Valid() {
		return invalid("priority", "tickets.error.priority")
	}
	if in.Priority == Urgent {
		if !p.Urgent {
			return invalid("priority", "tickets.error.urgent_not_in_plan")
		}
		if in.Impact == "" || strings.ContainsAny(in.Impact, "\r\n") || utf8.RuneCountInString(in.Impact) > ImpactMax {
			return invalid("impact", "tickets.error.impact")
		}
	} else {
		in.Impact = ""
	}
	return nil
}

// Open opens a ticket for a team the signed-in user belongs to. A support
// ticket needs a plan with tickets and a verified address; a pre-sales
// consultation needs only the address. The plan's named engineer becomes
// the assignee.
func (s *Service) Open(ctx context.Context, in NewTicket) (*Ticket, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	member, err := s.cfg.Teams.IsMember(ctx, in.TeamID, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("open ticket: %w", err)
	}
	p, err := s.TeamPlan(ctx, in.TeamID)
	if err != nil {
		return nil, err
	}
	if err := Can(a, ActionOpen, Resource{Member: member, Tickets: p.Tickets || in.Kind == KindPresales}); err != nil {
		return nil, err
	}
	if err := in.validate(p); err != nil {
		return nil, err
	}
	diag, err := s.checkApp(ctx, &in)
	if err != nil {
		return nil, err
	}
	target, next := s.targets(p, in.Kind, in.Priority)
	if in.Priority == Urgent {
		during, err := s.duringEvent(ctx, in.TeamID, s.now())
		if err != nil {
			return nil, err
		}
		if during {
			target = EventTarget
		}
	}
	return s.insert(ctx, in, p, target, next, a.UserID, 0, diag)
}

// targets are the first- and next-response targets of a new ticket of
// kind and priority on plan p.
func (s *Service) targets(p *Plan, kind string, pr Priority) (first, next sla.Target) {
	if kind == KindPresales {
		t := PresalesTarget(s.schedule().BusinessDay())
		return t, t
	}
	return p.Targets[pr], p.Next[pr]
}

func (s *Service) insert(ctx context.Context, in NewTicket, p *Plan, target, next sla.Target, by, followUpOf int64, diag *Diagnostics) (*Ticket, error) {
	html, err := s.render(in.Body)
	if err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("open ticket: %w", err)
	}
	defer tx.Rollback()
	basis := target.Basis
	if basis == "" {
		basis = sla.BusinessTime
	}
	var follow any
	if followUpOf != 0 {
		follow = followUpOf
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO support_tickets (team_id, opened_by, plan_id, kind, subject, priority, impact, app_id, state,
		assignee_id, follow_up_of, first_ms, first_basis, next_ms, next_basis, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.TeamID, by, p.ID, in.Kind, in.Subject, string(in.Priority), in.Impact, in.AppID, p.EngineerID, follow,
		target.Duration.Milliseconds(), string(basis), next.Duration.Milliseconds(), string(orBusiness(next)), now, now)
	if err != nil {
		return nil, fmt.Errorf("open ticket: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := addMessage(ctx, tx, id, by, false, false, in.Body, html, now); err != nil {
		return nil, err
	}
	if diag != nil {
		if err := saveDiagnostics(ctx, tx, id, diag, now); err != nil {
			return nil, err
		}
	}
	if err := s.refresh(ctx, tx, id); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("open ticket: %w", err)
	}
	return s.load(ctx, s.db, id)
}

func (s *Service) render(body string) (string, error) {
	h, err := s.cfg.Render(body)
	if err != nil {
		return "", fmt.Errorf("render ticket message: %w", err)
	}
	return h, nil
}

func addMessage(ctx context.Context, tx *sql.Tx, ticketID, author int64, staff, note bool, body, html string, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO support_messages (ticket_id, author_id, staff, note, body, html, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ticketID, author, staff, note, body, html, now); err != nil {
		return fmt.Errorf("ticket message: %w", err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// load reads a ticket and evaluates its clock now, without any check.
func (s *Service) load(ctx context.Context, q querier, id int64) (*Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM support_tickets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ticket: %w", err)
	}
	pauses, err := loadPauses(ctx, q, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t.Clock, t.NextClock = s.evaluate(t, pauses, now), s.evaluateNext(t, pauses, now)
	return t, nil
}

// Ticket returns a ticket and its messages as the signed-in user may see
// them: staff notes only for staff. Anyone else gets ErrNotFound.
func (s *Service) Ticket(ctx context.Context, id int64) (*Ticket, []Message, error) {
	t, _, err := s.authorize(ctx, id, ActionView)
	if err != nil {
		return nil, nil, err
	}
	notes := s.actor(ctx).Staff
	rows, err := s.db.QueryContext(ctx, `SELECT id, author_id, staff, note, body, html, created_at FROM support_messages
		WHERE ticket_id = ? AND (note = 0 OR ?) ORDER BY id`, id, notes)
	if err != nil {
		return nil, nil, fmt.Errorf("ticket messages: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		var m Message
		var at int64
		if err := rows.Scan(&m.ID, &m.AuthorID, &m.Staff, &m.Note, &m.Body, &m.HTML, &at); err != nil {
			return nil, nil, fmt.Errorf("ticket messages: %w", err)
		}
		m.CreatedAt = time.UnixMilli(at)
		msgs = append(msgs, m)
	}
	return t, msgs, rows.Err()
}

// authorize loads ticket id and checks that the signed-in user may act on
// it; it also returns the resource the decision was made on.
func (s *Service) authorize(ctx context.Context, id int64, act Action) (*Ticket, Resource, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, Resource{}, ErrNotFound
	}
	t, err := s.load(ctx, s.db, id)
	if err != nil {
		return nil, Resource{}, err
	}
	member, err := s.cfg.Teams.IsMember(ctx, t.TeamID, a.UserID)
	if err != nil {
		return nil, Resource{}, fmt.Errorf("ticket: %w", err)
	}
	r := Resource{Member: member, Closed: t.State == StateClosed, Escalated: t.Escalated}
	if act == ActionEscalate {
		p, err := s.Plan(ctx, t.PlanID)
		if err != nil {
			return nil, r, err
		}
		next := t.Priority.up()
		r.Top = next == t.Priority || next == Urgent && !p.Urgent || t.Kind == KindPresales
	}
	if err := Can(a, act, r); err != nil {
		return nil, r, err
	}
	return t, r, nil
}

// Teams returns the signed-in user's teams.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	ts, err := s.cfg.Teams.TeamsOf(ctx, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return ts, nil
}

// List returns the tickets of the signed-in user's teams, newest first.
func (s *Service) List(ctx context.Context) ([]*Ticket, error) {
	a := s.actor(ctx)
	if a.UserID == 0 {
		return nil, ErrUnauthorized
	}
	teams, err := s.cfg.Teams.TeamsOf(ctx, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	var out []*Ticket
	for _, tm := range teams {
		ts, err := s.query(ctx, `WHERE team_id = ? ORDER BY id DESC LIMIT 200`, tm.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// query loads the tickets a WHERE clause selects, with clocks evaluated.
func (s *Service) query(ctx context.Context, where string, args ...any) ([]*Ticket, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ticketCols+` FROM support_tickets `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	var out []*Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("tickets: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	now := s.now()
	for _, t := range out {
		pauses, err := loadPauses(ctx, s.db, t.ID)
		if err != nil {
			return nil, err
		}
		t.Clock, t.NextClock = s.evaluate(t, pauses, now), s.evaluateNext(t, pauses, now)
	}
	return out, nil
}
