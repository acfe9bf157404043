package console

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Team is a group of people who share apps.
type Team struct {
	ID        int64
	Name      string
	Personal  bool // the personal team of one user
	CreatedAt time.Time
	// Role is the actor's role in it ("" when staff look at a team they
	// are not a member of).
	Role Role
}

// Member is a team's member.
type Member struct {
	UserID   int64
	Role     Role
	JoinedAt time.Time
}

const maxNameBytes = 100

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxNameBytes || !utf8.ValidString(name) {
		return "", userErr(ErrInvalid, "console.error.name")
	}
	return name, nil
}

// PersonalTeam returns the actor's personal team, creating it on first
// use (named after the actor).
func (s *Service) PersonalTeam(ctx context.Context) (Team, error) {
	const op = "personal team"
	a, err := actor(ctx)
	if err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	id, err := s.personalTeamID(ctx, a.UserID, a.Name)
	if err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.Team(ctx, id)
}

// personalTeamID returns the ID of userID's personal team, creating it
// (named name) on first use.
func (s *Service) personalTeamID(ctx context.Context, userID int64, name string) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM console_teams WHERE personal_of = ?`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		name = strings.TrimSpace(name)
		if name == "" {
			name = "Personal"
		}
		if id, err = insertTeam(ctx, tx, name, userID, true, s.nowMs()); err != nil {
			return 0, err
		}
		err = tx.Commit()
	}
	return id, err
}

// insertTeam creates a team with owner as its owner; personal marks it
// as owner's personal team.
func insertTeam(ctx context.Context, tx *sql.Tx, name string, owner int64, personal bool, now int64) (int64, error) {
	var personalOf any
	if personal {
		personalOf = owner
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO console_teams (name, personal_of, created_at) VALUES (?, ?, ?)`, name, personalOf, now)
	if err != nil {
		return 0, fmt.Errorf("insert team: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert team: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO console_members (team_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`, id, owner, now); err != nil {
		return 0, fmt.Errorf("insert team owner: %w", err)
	}
	return id, nil
}

// CreateTeam creates a shared team whose owner is the actor.
func (s *Service) CreateTeam(ctx context.Context, name string) (Team, error) {
	const op = "create team"
	a, err := actor(ctx)
	if err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	if name, err = validName(name); err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	id, err := insertTeam(ctx, tx, name, a.UserID, false, s.nowMs())
	if err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return Team{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.Team(ctx, id)
}

// roleIn returns the actor's role in team ("" if not a member).
func (s *Service) roleIn(ctx context.Context, q queryer, teamID, userID int64) (Role, error) {
	var r Role
	err := q.QueryRowContext(ctx, `SELECT role FROM console_members WHERE team_id = ? AND user_id = ?`, teamID, userID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("role: %w", err)
	}
	return r, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// authorizeTeam checks that the actor may do act in team and returns
// their role there: ErrNotFound when they are neither a member nor
// staff (or there is no such team), ErrForbidden when their role does
// not allow it.
func (s *Service) authorizeTeam(ctx context.Context, q queryer, teamID int64, act Action) (Actor, Role, error) {
	a, err := actor(ctx)
	if err != nil {
		return Actor{}, "", err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM console_teams WHERE id = ?`, teamID).Scan(&n); err != nil {
		return Actor{}, "", fmt.Errorf("team: %w", err)
	}
	if n == 0 {
		return Actor{}, "", ErrNotFound
	}
	role, err := s.roleIn(ctx, q, teamID, a.UserID)
	if err != nil {
		return Actor{}, "", err
	}
	if role == "" && !a.Staff {
		return Actor{}, "", ErrNotFound
	}
	if !Allowed(role, a.Staff, act) {
		return Actor{}, "", ErrForbidden
	}
	return a, role, nil
}

// Team returns a team the actor is a member of (or any team, for staff).
func (s *Service) Team(ctx context.Context, id int64) (Team, error) {
	_, role, err := s.authorizeTeam(ctx, s.db, id, ActViewTeam)
	if err != nil {
		return Team{}, fmt.Errorf("team %d: %w", id, err)
	}
	t := Team{ID: id, Role: role}
	var personal sql.NullInt64
	var created int64
	if err := s.db.QueryRowContext(ctx, `SELECT name, personal_of, created_at FROM console_teams WHERE id = ?`, id).
		Scan(&t.Name, &personal, &created); err != nil {
		return Team{}, fmt.Errorf("team %d: %w", id, err)
	}
	t.Personal, t.CreatedAt = personal.Valid, time.UnixMilli(created).UTC()
	return t, nil
}

// Teams lists the actor's teams, the personal one first, then by name.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return s.teamsOf(ctx, a.UserID)
}

// teamsOf lists the teams userID is a member of, with their role in each,
// the personal one first, then by name.
func (s *Service) teamsOf(ctx context.Context, userID int64) ([]Team, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.personal_of IS NOT NULL, t.created_at, m.role
		FROM console_members m JOIN console_teams t ON t.id = m.team_id
		WHERE m.user_id = ? ORDER BY t.personal_of IS NULL, t.name, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Personal, &created, &t.Role); err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		t.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return out, nil
}

// Members lists a team's members, owners first.
func (s *Service) Members(ctx context.Context, teamID int64) ([]Member, error) {
	if _, _, err := s.authorizeTeam(ctx, s.db, teamID, ActViewTeam); err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, role, created_at FROM console_members WHERE team_id = ?
		ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'developer' THEN 1 ELSE 2 END, created_at, user_id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var created int64
		if err := rows.Scan(&m.UserID, &m.Role, &created); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		m.JoinedAt = time.UnixMilli(created).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return out, nil
}

// SetMemberRole changes a member's role (owners only). The last owner
// cannot step down: ErrConflict.
func (s *Service) SetMemberRole(ctx context.Context, teamID, userID int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("set member role: %w", userErr(ErrInvalid, "console.error.role"))
	}
	return s.changeMember(ctx, "set member role", teamID, userID, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE console_members SET role = ? WHERE team_id = ? AND user_id = ?`, role, teamID, userID)
		return err
	})
}

// RemoveMember removes a member (owners only; anyone may leave). The
// last owner cannot leave: ErrConflict.
func (s *Service) RemoveMember(ctx context.Context, teamID, userID int64) error {
	return s.changeMember(ctx, "remove member", teamID, userID, true, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_members WHERE team_id = ? AND user_id = ?`, teamID, userID)
		return err
	})
}

// changeMember runs change on a member in a transaction, checks the team
// keeps an owner, and commits. selfFree: acting on oneself needs no
// rights (leaving).
func (s *Service) changeMember(ctx context.Context, op string, teamID, userID int64, selfFree bool, change func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	a, err := actor(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	act := ActManageMembers
	if selfFree && userID == a.UserID {
		act = ActViewTeam
	}
	if _, _, err := s.authorizeTeam(ctx, tx, teamID, act); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if role, err := s.roleIn(ctx, tx, teamID, userID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	} else if role == "" {
		return fmt.Errorf("%s: member %d: %w", op, userID, ErrNotFound)
	}
	if err := change(tx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var owners int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM console_members WHERE team_id = ? AND role = 'owner'`, teamID).Scan(&owners); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if owners == 0 {
		return fmt.Errorf("%s: %w", op, userErr(ErrConflict, "console.error.last_owner"))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
