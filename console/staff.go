package console

import (
	"context"
	"errors"
	"fmt"
)

// AllApps lists every app of every team, for the support view: staff
// only (anyone else gets ErrNotFound, as for an app they may not see).
func (s *Service) AllApps(ctx context.Context) ([]StaffApp, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Staff {
		return nil, ErrNotFound
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.app_id, t.id, t.name FROM console_apps a JOIN console_teams t ON t.id = a.team_id
		ORDER BY t.name, t.id, a.created_at, a.app_id`)
	if err != nil {
		return nil, fmt.Errorf("all apps: %w", err)
	}
	type ref struct {
		id   string
		team Team
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.team.ID, &r.team.Name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("all apps: %w", err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("all apps: %w", err)
	}
	out := make([]StaffApp, 0, len(refs))
	for _, r := range refs {
		app, err := s.App(ctx, r.id)
		if errors.Is(err, ErrNotFound) {
			continue // purged meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("all apps: %w", err)
		}
		out = append(out, StaffApp{App: app, Team: r.team})
	}
	return out, nil
}

// StaffApp is an app with its team, as the support view lists it.
type StaffApp struct {
	App  App
	Team Team
}
