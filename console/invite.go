package console

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Invite is a pending invitation to a team.
type Invite struct {
	ID       int64
	TeamID   int64
	TeamName string
	// Email is set for an invitation by address, UserID for one by
	// username.
	Email     string
	UserID    int64
	Role      Role
	InvitedBy int64
	CreatedAt time.Time
}

// Invite invites someone to a team with a role (owners only). who is an
// email address (it contains "@" after its first character; matched when that person signs in, so
// they need not have an account yet) or a username (the account must
// exist). Inviting a current member, or someone already invited, is
// ErrConflict.
func (s *Service) Invite(ctx context.Context, teamID int64, who string, role Role) (Invite, error) {
	const op = "invite"
	if !role.Valid() {
		return Invite{}, fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.role"))
	}
	who = strings.TrimSpace(who)
	inv := Invite{TeamID: teamID, Role: role, CreatedAt: s.cfg.Now().UTC().Truncate(time.Millisecond)}
	who = strings.TrimPrefix(who, "@") // "@bob" is a mention-style username
	if strings.Contains(who, "@") {
		addr, err := mail.ParseAddress(who)
		if err != nil || addr.Name != "" {
			return Invite{}, fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.invitee"))
		}
		inv.Email = strings.ToLower(addr.Address)
	} else {
		id, ok, err := s.cfg.Users.UserIDByUsername(ctx, who)
		if err != nil {
			return Invite{}, fmt.Errorf("%s: %w", op, err)
		}
		if !ok {
			return Invite{}, fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.no_such_user"))
		}
		inv.UserID = id
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	a, _, err := s.authorizeTeam(ctx, tx, teamID, ActManageMembers)
	if err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	inv.InvitedBy = a.UserID
	if inv.UserID != 0 {
		if r, err := s.roleIn(ctx, tx, teamID, inv.UserID); err != nil {
			return Invite{}, fmt.Errorf("%s: %w", op, err)
		} else if r != "" {
			return Invite{}, fmt.Errorf("%s: %w", op, userErr(ErrConflict, "console.error.already_member"))
		}
	}
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM console_invites WHERE team_id = ? AND email = ? AND user_id = ?`,
		teamID, inv.Email, inv.UserID).Scan(&dup); err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	if dup > 0 {
		return Invite{}, fmt.Errorf("%s: %w", op, userErr(ErrConflict, "console.error.already_invited"))
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO console_invites (team_id, email, user_id, role, invited_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		teamID, inv.Email, inv.UserID, role, inv.InvitedBy, inv.CreatedAt.UnixMilli())
	if err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	if inv.ID, err = res.LastInsertId(); err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return Invite{}, fmt.Errorf("%s: %w", op, err)
	}
	return inv, nil
}

const inviteColumns = `i.id, i.team_id, t.name, i.email, i.user_id, i.role, i.invited_by, i.created_at`

func scanInvites(rows *sql.Rows) ([]Invite, error) {
	defer rows.Close()
	var out []Invite
	for rows.Next() {
		var v Invite
		var created int64
		if err := rows.Scan(&v.ID, &v.TeamID, &v.TeamName, &v.Email, &v.UserID, &v.Role, &v.InvitedBy, &created); err != nil {
			return nil, err
		}
		v.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// TeamInvites lists a team's pending invitations (members with the right
// to manage members only: addresses are private).
func (s *Service) TeamInvites(ctx context.Context, teamID int64) ([]Invite, error) {
	if _, _, err := s.authorizeTeam(ctx, s.db, teamID, ActManageMembers); err != nil {
		return nil, fmt.Errorf("team invites: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+inviteColumns+` FROM console_invites i JOIN console_teams t ON t.id = i.team_id
		WHERE i.team_id = ? ORDER BY i.id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("team invites: %w", err)
	}
	out, err := scanInvites(rows)
	if err != nil {
		return nil, fmt.Errorf("team invites: %w", err)
	}
	return out, nil
}

// MyInvites lists the invitations addressed to the actor, by username or
// by their email address.
func (s *Service) MyInvites(ctx context.Context) ([]Invite, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, fmt.Errorf("my invites: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+inviteColumns+` FROM console_invites i JOIN console_teams t ON t.id = i.team_id
		WHERE i.user_id = ? OR (i.email != '' AND i.email = ?) ORDER BY i.id`, a.UserID, strings.ToLower(a.Email))
	if err != nil {
		return nil, fmt.Errorf("my invites: %w", err)
	}
	out, err := scanInvites(rows)
	if err != nil {
		return nil, fmt.Errorf("my invites: %w", err)
	}
	return out, nil
}

// AnswerInvite accepts (the actor joins with the invitation's role) or
// declines an invitation addressed to the actor; either way it is used
// up. Someone else's invitation is ErrNotFound.
func (s *Service) AnswerInvite(ctx context.Context, id int64, accept bool) error {
	const op = "answer invite"
	a, err := actor(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	var team int64
	var role Role
	err = tx.QueryRowContext(ctx, `SELECT team_id, role FROM console_invites WHERE id = ? AND (user_id = ? OR (email != '' AND email = ?))`,
		id, a.UserID, strings.ToLower(a.Email)).Scan(&team, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %d: %w", op, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM console_invites WHERE id = ?`, id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if accept {
		// Already a member (invited twice, by name and address): keep the
		// role they have.
		if _, err := tx.ExecContext(ctx, `INSERT INTO console_members (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, team, a.UserID, role, s.nowMs()); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// RevokeInvite withdraws a pending invitation (owners only).
func (s *Service) RevokeInvite(ctx context.Context, teamID, id int64) error {
	const op = "revoke invite"
	if _, _, err := s.authorizeTeam(ctx, s.db, teamID, ActManageMembers); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM console_invites WHERE id = ? AND team_id = ?`, id, teamID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %d: %w", op, id, ErrNotFound)
	}
	return nil
}
