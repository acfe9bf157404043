package console

import (
	"context"
	"fmt"
)

// AdoptApp makes an existing engine app that no team owns (a sandbox app
// its creator keeps) a development app of the actor's personal team,
// named name. The engine app keeps its ID, credentials and data (history,
// stored messages). The caller has checked that the actor may claim the
// app (for a sandbox app: its API key); ErrConflict when a team owns it.
func (s *Service) AdoptApp(ctx context.Context, appID, name string) (App, error) {
	const op = "adopt app"
	name, err := validName(name)
	if err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	team, err := s.PersonalTeam(ctx)
	if err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	a, _, err := s.authorizeTeam(ctx, s.db, team.ID, ActCreateApp)
	if err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM console_apps WHERE app_id = ?`, appID).Scan(&n); err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	if n > 0 {
		return App{}, fmt.Errorf("%s: %w", op, ErrConflict)
	}
	if err := s.cfg.Engine.RenameApp(ctx, appID, name); err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := s.own(ctx, appID, team.ID, EnvDevelopment, a.UserID); err != nil {
		return App{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.App(ctx, appID)
}
