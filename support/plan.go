package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// Priority is a ticket's urgency.
type Priority string

const (
	Low    Priority = "low"
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists the priorities from least to most urgent.
var Priorities = []Priority{Low, Normal, High, Urgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p == Low || p == Normal || p == High || p == Urgent }

// up returns the next priority, or p itself for urgent.
func (p Priority) up() Priority {
	for i, q := range Priorities {
		if q == p && i+1 < len(Priorities) {
			return Priorities[i+1]
		}
	}
	return p
}

// The seeded plans.
const (
	PlanCommunity = "community"
	PlanStandard  = "standard"
	PlanPremium   = "premium"
)

// Plan is a support plan.
type Plan struct {
	ID         string
	NameEN     string
	NameZH     string
	Tickets    bool  // teams on the plan may open tickets
	Urgent     bool  // and choose urgent
	EngineerID int64 // the named support engineer: the default assignee; 0: none
	// Targets is the first-response target per priority.
	Targets map[Priority]sla.Target
	// Next is the next-response target per priority: how soon staff answer
	// a customer's message after the first response.
	Next map[Priority]sla.Target
}

// Name returns the plan's name in lang.
func (p *Plan) Name(lang string) string {
	if lang == "zh" {
		return p.NameZH
	}
	return p.NameEN
}

// seedPlans are the plans a new database starts with. One business day is
// the schedule's (8 h 30 m on the default one); urgent on Premium is an
// hour around the clock. Next-response targets are the first-response
// ones of the same priority.
func seedPlans(day time.Duration) []Plan {
	biz := func(d time.Duration) sla.Target { return sla.Target{Duration: d, Basis: sla.BusinessTime} }
	return []Plan{
		{ID: PlanCommunity, NameEN: "Community", NameZH: "社区", Targets: map[Priority]sla.Target{}},
		{ID: PlanStandard, NameEN: "Standard", NameZH: "标准", Tickets: true, Targets: map[Priority]sla.Target{
			Low: biz(2 * day), Normal: biz(day), High: biz(day), Urgent: biz(day)}},
		{ID: PlanPremium, NameEN: "Premium", NameZH: "高级", Tickets: true, Urgent: true, Targets: map[Priority]sla.Target{
			Low: biz(day), Normal: biz(4 * time.Hour), High: biz(4 * time.Hour), Urgent: sla.CalendarHours(1)}},
	}
}

// PresalesTarget is the published first-response target of a pre-sales
// consultation: one business day.
func PresalesTarget(day time.Duration) sla.Target {
	return sla.Target{Duration: day, Basis: sla.BusinessTime}
}

func (s *Service) seed(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM support_plans`).Scan(&n); err != nil || n > 0 {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed plans: %w", err)
	}
	defer tx.Rollback()
	for i, p := range seedPlans(s.schedule().BusinessDay()) {
		if p.Next == nil {
			p.Next = p.Targets
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_plans (id, name_en, name_zh, tickets, urgent, position) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, p.NameEN, p.NameZH, p.Tickets, p.Urgent, i); err != nil {
			return fmt.Errorf("seed plans: %w", err)
		}
		for _, pr := range Priorities {
			t, n := p.Targets[pr], p.Next[pr]
			if _, err := tx.ExecContext(ctx, `INSERT INTO support_policies (plan_id, priority, first_ms, first_basis, next_ms, next_basis) VALUES (?, ?, ?, ?, ?, ?)`,
				p.ID, string(pr), t.Duration.Milliseconds(), string(orBusiness(t)), n.Duration.Milliseconds(), string(orBusiness(n))); err != nil {
				return fmt.Errorf("seed plans: %w", err)
			}
		}
	}
	return tx.Commit()
}

// Plans returns every plan, in order.
func (s *Service) Plans(ctx context.Context) ([]*Plan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name_en, name_zh, tickets, urgent, engineer_id FROM support_plans ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	var out []*Plan
	for rows.Next() {
		p := &Plan{Targets: map[Priority]sla.Target{}, Next: map[Priority]sla.Target{}}
		if err := rows.Scan(&p.ID, &p.NameEN, &p.NameZH, &p.Tickets, &p.Urgent, &p.EngineerID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plans: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	for _, p := range out {
		if err := s.loadTargets(ctx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) loadTargets(ctx context.Context, p *Plan) error {
	rows, err := s.db.QueryContext(ctx, `SELECT priority, first_ms, first_basis, next_ms, next_basis FROM support_policies WHERE plan_id = ?`, p.ID)
	if err != nil {
		return fmt.Errorf("plan targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pr, basis, nextBasis string
		var ms, nextMS int64
		if err := rows.Scan(&pr, &ms, &basis, &nextMS, &nextBasis); err != nil {
			return fmt.Errorf("plan targets: %w", err)
		}
		if ms > 0 {
			p.Targets[Priority(pr)] = sla.Target{Duration: time.Duration(ms) * time.Millisecond, Basis: sla.Basis(basis)}
		}
		if nextMS > 0 {
			p.Next[Priority(pr)] = sla.Target{Duration: time.Duration(nextMS) * time.Millisecond, Basis: sla.Basis(nextBasis)}
		}
	}
	return rows.Err()
}

// Plan returns one plan, or ErrNotFound.
func (s *Service) Plan(ctx context.Context, id string) (*Plan, error) {
	ps, err := s.Plans(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, fmt.Errorf("plan %q: %w", id, ErrNotFound)
}

// TeamPlan returns the plan of a team: Community when none is assigned.
func (s *Service) TeamPlan(ctx context.Context, teamID int64) (*Plan, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT plan_id FROM support_team_plans WHERE team_id = ?`, teamID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		id = PlanCommunity
	} else if err != nil {
		return nil, fmt.Errorf("team plan: %w", err)
	}
	return s.Plan(ctx, id)
}

// AssignPlan gives a team a plan (staff admins only; see Can). Tickets
// already open keep the targets they were opened with.
func (s *Service) AssignPlan(ctx context.Context, teamID int64, planID string) error {
	a := s.actor(ctx)
	if !a.Admin {
		return ErrForbidden
	}
	return s.assignPlan(ctx, teamID, planID, a.UserID)
}

// AssignPlanSystem is AssignPlan for the admin command, without a user.
func (s *Service) AssignPlanSystem(ctx context.Context, teamID int64, planID string) error {
	return s.assignPlan(ctx, teamID, planID, 0)
}

func (s *Service) assignPlan(ctx context.Context, teamID int64, planID string, by int64) error {
	if _, err := s.Plan(ctx, planID); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO support_team_plans (team_id, plan_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_id) DO UPDATE SET plan_id = excluded.plan_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
		teamID, planID, by, s.now().UnixMilli()); err != nil {
		return fmt.Errorf("assign plan: %w", err)
	}
	return nil
}

// SetEngineer names the plan's support engineer (admins only); 0 clears it.
func (s *Service) SetEngineer(ctx context.Context, planID string, userID int64) error {
	if !s.actor(ctx).Admin {
		return ErrForbidden
	}
	res, err := s.db.ExecContext(ctx, `UPDATE support_plans SET engineer_id = ? WHERE id = ?`, userID, planID)
	if err != nil {
		return fmt.Errorf("set engineer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("plan %q: %w", planID, ErrNotFound)
	}
	return nil
}

func orBusiness(t sla.Target) sla.Basis {
	if t.Basis == "" {
		return sla.BusinessTime
	}
	return t.Basis
}

// Presales returns the published first-response target of pre-sales
// consultations on the current schedule.
func (s *Service) Presales() sla.Target { return PresalesTarget(s.schedule().BusinessDay()) }

// MaxTarget bounds a plan's targets.
const MaxTarget = 30 * 24 * time.Hour

// SetTargets sets a plan's first- and next-response targets for one
// priority (admins only); a zero duration means no target. Tickets already
// open keep the targets they were opened with.
func (s *Service) SetTargets(ctx context.Context, planID string, pr Priority, first, next sla.Target) error {
	if !s.actor(ctx).Admin {
		return ErrForbidden
	}
	if !pr.Valid() {
		return invalid("priority", "tickets.error.priority")
	}
	for _, t := range []sla.Target{first, next} {
		if t.Duration < 0 || t.Duration > MaxTarget || t.Basis != sla.BusinessTime && t.Basis != sla.CalendarTime {
			return invalid("target", "tickets.error.target")
		}
	}
	res, err := s.db.ExecContext(ctx, `UPDATE support_policies SET first_ms = ?, first_basis = ?, next_ms = ?, next_basis = ? WHERE plan_id = ? AND priority = ?`,
		first.Duration.Milliseconds(), string(first.Basis), next.Duration.Milliseconds(), string(next.Basis), planID, string(pr))
	if err != nil {
		return fmt.Errorf("set targets: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("plan %q: %w", planID, ErrNotFound)
	}
	return nil
}
