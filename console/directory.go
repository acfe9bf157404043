package console

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The directory answers other domains (support's tickets) about team
// membership. They check access themselves, so these methods take the user
// in question rather than the actor in ctx.

// MemberTeams lists the teams userID is a member of, personal team first,
// creating the personal team (named username) on first use, as the
// console's own pages do.
func (s *Service) MemberTeams(ctx context.Context, userID int64, username string) ([]Team, error) {
	if _, err := s.personalTeamID(ctx, userID, username); err != nil {
		return nil, fmt.Errorf("member teams: %w", err)
	}
	ts, err := s.teamsOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("member teams: %w", err)
	}
	return ts, nil
}

// IsMember reports whether userID is a member of the team, in any role.
func (s *Service) IsMember(ctx context.Context, teamID, userID int64) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM console_members WHERE team_id = ? AND user_id = ?`,
		teamID, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("is member: %w", err)
	}
	return n > 0, nil
}

// FindTeam returns the team named ref, or with ID ref when ref is "#N" or
// a number no team is named. Several teams of that name: ErrConflict, with
// a message that asks for the ID.
func (s *Service) FindTeam(ctx context.Context, ref string) (Team, error) {
	ref = strings.TrimSpace(ref)
	byID := func(id int64) (Team, error) {
		var t Team
		var created int64
		err := s.db.QueryRowContext(ctx, `SELECT id, name, personal_of IS NOT NULL, created_at FROM console_teams WHERE id = ?`, id).
			Scan(&t.ID, &t.Name, &t.Personal, &created)
		if err != nil {
			return Team{}, fmt.Errorf("team #%d: %w", id, ErrNotFound)
		}
		t.CreatedAt = time.UnixMilli(created).UTC()
		return t, nil
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil && strings.HasPrefix(ref, "#") {
		return byID(id)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM console_teams WHERE name = ? ORDER BY id`, ref)
	if err != nil {
		return Team{}, fmt.Errorf("team %q: %w", ref, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return Team{}, fmt.Errorf("team %q: %w", ref, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Team{}, fmt.Errorf("team %q: %w", ref, err)
	}
	switch {
	case len(ids) == 1:
		return byID(ids[0])
	case len(ids) > 1:
		return Team{}, fmt.Errorf("%d teams are named %q (IDs %v); name one as #ID: %w", len(ids), ref, ids, ErrConflict)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return byID(id)
	}
	return Team{}, fmt.Errorf("team %q: %w", ref, ErrNotFound)
}

// AppMembers returns the app's name and team and the IDs of the team's
// members, for notifying them of the app's alerts. ErrNotFound for an app
// no team owns.
func (s *Service) AppMembers(ctx context.Context, appID string) (name string, teamID int64, members []int64, err error) {
	if err := s.db.QueryRowContext(ctx, `SELECT team_id FROM console_apps WHERE app_id = ?`, appID).Scan(&teamID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", 0, nil, ErrNotFound
		}
		return "", 0, nil, fmt.Errorf("app members: %w", err)
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if err != nil {
		return "", 0, nil, fmt.Errorf("app members: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM console_members WHERE team_id = ? ORDER BY user_id`, teamID)
	if err != nil {
		return "", 0, nil, fmt.Errorf("app members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", 0, nil, fmt.Errorf("app members: %w", err)
		}
		members = append(members, id)
	}
	return ea.Name, teamID, members, rows.Err()
}

// MemberAppIDs lists the IDs of the apps of every team userID belongs to.
func (s *Service) MemberAppIDs(ctx context.Context, userID int64) ([]string, error) {
	ids, err := s.appIDs(ctx, `SELECT a.app_id FROM console_apps a JOIN console_members m ON m.team_id = a.team_id
		WHERE m.user_id = ? ORDER BY a.app_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("member apps: %w", err)
	}
	return ids, nil
}
