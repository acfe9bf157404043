package forum

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/sla"
)

// MaxImpactLength is the longest impact statement, in characters.
const MaxImpactLength = 200

// StillNeedHelp is the asker's "I still need help" on a solved topic: it
// removes the accepted answer, reopens the topic if it was closed, and
// starts the next-response clock at this moment. A later reply by the
// asker on a solved topic ("Thanks!") starts no clock; this does. Only the
// asker may (ErrForbidden); a topic that is not solved is ErrInvalid.
func (s *Store) StillNeedHelp(ctx context.Context, topicID int64) error {
	return s.topicAction(ctx, topicID, ActionAccept, func(tx *txn, u *User, t *Topic) error {
		if u.ID != t.AuthorID {
			return forbidden("forum.error.forbidden")
		}
		if !t.Solved() {
			return invalid("topic", "support.error.not_solved", nil)
		}
		if err := setAccepted(ctx, tx, t, u, 0); err != nil {
			return err
		}
		if t.Closed() {
			if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET close_reason = '', closed_at = NULL, duplicate_of = NULL WHERE id = ?`, t.ID); err != nil {
				return fmt.Errorf("still need help: %w", err)
			}
			if err := addEvent(ctx, tx, actorEvent(t, EventReopened, u, 0, nil)); err != nil {
				return err
			}
		}
		return addEvent(ctx, tx, actorEvent(t, EventStillNeedHelp, u, 0, nil))
	})
}

// checkPriorityChoice enforces who may ask with which priority: the team
// may choose any; members normal always, and high or urgent only where
// the category's policy (or the default policy) lets members choose it.
// Urgent needs a one-line impact statement from everyone. It returns the
// cleaned statement ("" unless urgent).
func checkPriorityChoice(ctx context.Context, tx *txn, u *User, cat *Category, p Priority, impact string) (string, error) {
	if p != PriorityUrgent {
		impact = ""
	} else {
		impact = strings.TrimSpace(impact)
		if impact == "" || strings.ContainsAny(impact, "\r\n") || utf8.RuneCountInString(impact) > MaxImpactLength {
			return "", invalid("impact", "support.error.impact_required", map[string]any{"Max": MaxImpactLength})
		}
	}
	if p == PriorityNormal || u.Role.Team() {
		return impact, nil
	}
	ps, err := choicePolicies(ctx, tx)
	if err != nil {
		return "", err
	}
	if pol, _ := sla.FindPolicy(ps, cat.Slug, sla.Priority(p)); !pol.MembersMayChoose {
		return "", invalid("priority", "support.error.priority_not_allowed", nil)
	}
	return impact, nil
}

// PriorityChoices returns the priorities a member may choose when asking
// in each category, by slug. The team may choose any priority.
func (s *Store) PriorityChoices(ctx context.Context) (map[string][]Priority, error) {
	cats, err := s.Categories(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ps, err := choicePolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := map[string][]Priority{}
	for _, c := range cats {
		out[c.Slug] = []Priority{PriorityNormal}
		for _, p := range []Priority{PriorityHigh, PriorityUrgent} {
			if pol, _ := sla.FindPolicy(ps, c.Slug, sla.Priority(p)); pol.MembersMayChoose {
				out[c.Slug] = append(out[c.Slug], p)
			}
		}
	}
	return out, nil
}

// choicePolicies returns the stored policies, or the defaults while none
// are stored (the SLA service seeds them when it starts): who may choose
// which priority does not depend on the schedule.
func choicePolicies(ctx context.Context, tx *txn) ([]sla.Policy, error) {
	ps, err := queryPolicies(ctx, tx)
	if err != nil || len(ps) > 0 {
		return ps, err
	}
	return sla.DefaultPolicies(sla.TwentyFourSeven()), nil
}

// TeamMember is someone a topic can be assigned to.
type TeamMember struct {
	ID   int64
	Name string
	Role Role
}

// TeamMembers lists staff, moderators and admins who are not suspended,
// by name, for reassigning queue topics. The team only (ErrForbidden;
// ErrUnauthorized when signed out).
func (s *Store) TeamMembers(ctx context.Context) ([]TeamMember, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return nil, unauthorized("forum.error.login_required")
	}
	if !s.Can(ctx, ActionAssign, Resource{}) {
		return nil, forbidden("forum.error.forbidden")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role FROM forum_users
		WHERE role IN (?, ?, ?) AND (suspended_until IS NULL OR suspended_until <= ?) ORDER BY name, id`,
		string(RoleStaff), string(RoleModerator), string(RoleAdmin), ms(s.now()))
	if err != nil {
		return nil, fmt.Errorf("team members: %w", err)
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		var role string
		if err := rows.Scan(&m.ID, &m.Name, &role); err != nil {
			return nil, fmt.Errorf("team members: %w", err)
		}
		m.Role = Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}
