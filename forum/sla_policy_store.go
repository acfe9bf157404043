package forum

import (
	"context"
	"fmt"

	"github.com/switchboard-rtm/switchboard/sla"
)

// seedPolicies stores sla.DefaultPolicies for every pair that has no
// stored policy yet; stored policies (admins' edits) are left alone.
func (x *SLA) seedPolicies(ctx context.Context) error {
	now := ms(x.st.now())
	for _, p := range sla.DefaultPolicies(x.Schedule()) {
		if _, err := x.st.db.ExecContext(ctx, `INSERT OR IGNORE INTO forum_sla_policies
			(category_slug, priority, first_target, first_basis, next_target, next_basis, member_choice, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Category, string(p.Priority), p.FirstResponse.Duration.Milliseconds(), basisOf(p.FirstResponse),
			p.NextResponse.Duration.Milliseconds(), basisOf(p.NextResponse), boolInt(p.MembersMayChoose), now); err != nil {
			return fmt.Errorf("seed sla policies: %w", err)
		}
	}
	return nil
}

// Policies returns the stored policies, ordered by category and priority.
// They are public: the docs page quotes them.
func (x *SLA) Policies(ctx context.Context) ([]sla.Policy, error) {
	return queryPolicies(ctx, x.st.db)
}

// queryPolicies reads the stored policies through q (the database, or a
// transaction of the Store's).
func queryPolicies(ctx context.Context, q queryer) ([]sla.Policy, error) {
	rows, err := q.QueryContext(ctx, `SELECT category_slug, priority, first_target, first_basis, next_target, next_basis, member_choice
		FROM forum_sla_policies ORDER BY category_slug, CASE priority WHEN 'normal' THEN 0 WHEN 'high' THEN 1 ELSE 2 END`)
	if err != nil {
		return nil, fmt.Errorf("sla policies: %w", err)
	}
	defer rows.Close()
	var out []sla.Policy
	for rows.Next() {
		var p sla.Policy
		var prio, fb, nb string
		var fd, nd int64
		if err := rows.Scan(&p.Category, &prio, &fd, &fb, &nd, &nb, &p.MembersMayChoose); err != nil {
			return nil, fmt.Errorf("sla policies: %w", err)
		}
		p.Priority, p.FirstResponse, p.NextResponse = sla.Priority(prio), target(fd, fb), target(nd, nb)
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPolicy stores the targets for a category and priority. Admins only
// (ErrForbidden; ErrUnauthorized when signed out). The category must
// exist (or be sla.DefaultCategory) and the targets be valid (ErrInvalid).
// Topics already created keep their targets until their priority or
// category changes.
func (x *SLA) SetPolicy(ctx context.Context, p sla.Policy) error {
	tx, err := x.st.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := x.st.actor(ctx, tx)
	if err != nil {
		return err
	}
	if err := x.st.check(u, ActionEditCategory, Resource{}, tx.now); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return invalid("policy", "sla.error.policy_invalid", nil)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_categories WHERE slug = ?`, p.Category).Scan(&n); err != nil {
		return fmt.Errorf("set policy: %w", err)
	}
	if n == 0 && p.Category != sla.DefaultCategory {
		return notFound("forum.error.category_not_found")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_sla_policies
		(category_slug, priority, first_target, first_basis, next_target, next_basis, member_choice, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (category_slug, priority) DO UPDATE SET first_target = excluded.first_target, first_basis = excluded.first_basis,
		next_target = excluded.next_target, next_basis = excluded.next_basis, member_choice = excluded.member_choice,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.Category, string(p.Priority), p.FirstResponse.Duration.Milliseconds(), basisOf(p.FirstResponse),
		p.NextResponse.Duration.Milliseconds(), basisOf(p.NextResponse), boolInt(p.MembersMayChoose), ms(tx.now), u.ID); err != nil {
		return fmt.Errorf("set policy: %w", err)
	}
	return x.st.commit(ctx, tx)
}
