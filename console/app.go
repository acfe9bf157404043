package console

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Env says what an app is for.
type Env string

const (
	EnvProduction  Env = "production"
	EnvDevelopment Env = "development" // e.g. a sandbox app the user kept
)

// Valid reports whether e is one of the two environments.
func (e Env) Valid() bool { return e == EnvProduction || e == EnvDevelopment }

// App is an engine app as the console sees it: its team, environment and
// lifecycle. It never carries a secret.
type App struct {
	ID        string
	Name      string
	TeamID    int64
	Env       Env
	CreatedBy int64
	CreatedAt time.Time
	// DeleteAt is when a scheduled deletion happens (zero: none).
	DeleteAt time.Time
	Limits   engine.AppLimits
	// Role is the actor's role in the app's team ("" for staff who are
	// not members: the read-only support view).
	Role Role
}

// Can reports whether the actor may do act on the app: for templates,
// which show only the controls that would work.
func (a App) Can(act Action, staff bool) bool { return Allowed(a.Role, staff, act) }

// NewApp is what creating an app takes.
type NewApp struct {
	TeamID int64
	Name   string
	Env    Env // default production
}

// CreateApp creates an engine app owned by the team (owners and
// developers). The engine.App it returns carries the certificate and
// the server API key, shown once here.
func (s *Service) CreateApp(ctx context.Context, n NewApp) (App, engine.App, error) {
	const op = "create app"
	if n.Env == "" {
		n.Env = EnvProduction
	}
	if !n.Env.Valid() {
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.env"))
	}
	name, err := validName(n.Name)
	if err != nil {
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, err)
	}
	a, _, err := s.authorizeTeam(ctx, s.db, n.TeamID, ActCreateApp)
	if err != nil {
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, err)
	}
	ea, err := s.cfg.Engine.CreateApp(ctx, name)
	if err != nil {
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := s.own(ctx, ea.ID, n.TeamID, n.Env, a.UserID); err != nil {
		// Leave no engine app without an owner.
		if derr := s.cfg.Engine.DeleteApp(context.WithoutCancel(ctx), ea.ID); derr != nil {
			s.log.ErrorContext(ctx, "delete unowned app", "app", ea.ID, "err", derr)
		}
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, err)
	}
	app, err := s.App(ctx, ea.ID)
	if err != nil {
		return App{}, engine.App{}, fmt.Errorf("%s: %w", op, err)
	}
	return app, ea, nil
}

// own records that team owns the engine app.
func (s *Service) own(ctx context.Context, appID string, team int64, env Env, by int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO console_apps (app_id, team_id, env, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		appID, team, env, by, s.nowMs())
	return err
}

// authorizeApp checks that the actor may do act on the app: ErrNotFound
// for anyone who is not a member of its team and not staff (and for an
// app no team owns), ErrForbidden for a role that does not allow it.
func (s *Service) authorizeApp(ctx context.Context, appID string, act Action) (App, error) {
	var app App
	var created, deleteAt int64
	err := s.db.QueryRowContext(ctx, `SELECT team_id, env, created_by, created_at, delete_at FROM console_apps WHERE app_id = ?`, appID).
		Scan(&app.TeamID, &app.Env, &app.CreatedBy, &created, &deleteAt)
	if errors.Is(err, sql.ErrNoRows) {
		if _, aerr := actor(ctx); aerr != nil {
			return App{}, aerr
		}
		return App{}, ErrNotFound
	}
	if err != nil {
		return App{}, fmt.Errorf("app: %w", err)
	}
	_, role, err := s.authorizeTeam(ctx, s.db, app.TeamID, act)
	if err != nil {
		return App{}, err
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if errors.Is(err, engine.ErrNotFound) {
		return App{}, ErrNotFound
	}
	if err != nil {
		return App{}, fmt.Errorf("app: %w", err)
	}
	app.ID, app.Name, app.Limits, app.Role = appID, ea.Name, ea.Limits, role
	app.CreatedAt = time.UnixMilli(created).UTC()
	if deleteAt != 0 {
		app.DeleteAt = time.UnixMilli(deleteAt).UTC()
	}
	return app, nil
}

// Authorize checks that the actor may do act on the app and returns it,
// for the other parts of the console (webhooks, usage, alerts) that keep
// their data by App ID: ErrNotFound for non-members, ErrForbidden for a
// role that does not allow act.
func (s *Service) Authorize(ctx context.Context, appID string, act Action) (App, error) {
	app, err := s.authorizeApp(ctx, appID, act)
	if err != nil {
		return App{}, fmt.Errorf("authorize %s on app %s: %w", act, appID, err)
	}
	return app, nil
}

// App returns an app the actor may see.
func (s *Service) App(ctx context.Context, appID string) (App, error) {
	app, err := s.authorizeApp(ctx, appID, ActViewApp)
	if err != nil {
		return App{}, fmt.Errorf("app %s: %w", appID, err)
	}
	return app, nil
}

// Apps lists a team's apps, oldest first.
func (s *Service) Apps(ctx context.Context, teamID int64) ([]App, error) {
	if _, _, err := s.authorizeTeam(ctx, s.db, teamID, ActViewTeam); err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	ids, err := s.appIDs(ctx, `SELECT app_id FROM console_apps WHERE team_id = ? ORDER BY created_at, app_id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	out := make([]App, 0, len(ids))
	for _, id := range ids {
		app, err := s.App(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // purged meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("apps: %w", err)
		}
		out = append(out, app)
	}
	return out, nil
}

func (s *Service) appIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RenameApp renames an app (owners only).
func (s *Service) RenameApp(ctx context.Context, appID, name string) error {
	const op = "rename app"
	name, err := validName(name)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := s.authorizeApp(ctx, appID, ActRenameApp); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := s.cfg.Engine.RenameApp(ctx, appID, name); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// ScheduleDelete schedules the app's deletion after the grace period
// (owners only) and returns when it will happen. The app keeps working
// until then; CancelDelete keeps it.
func (s *Service) ScheduleDelete(ctx context.Context, appID string) (time.Time, error) {
	const op = "delete app"
	if _, err := s.authorizeApp(ctx, appID, ActDeleteApp); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	at := s.cfg.Now().Add(s.cfg.DeleteGrace).UTC().Truncate(time.Millisecond)
	if _, err := s.db.ExecContext(ctx, `UPDATE console_apps SET delete_at = ? WHERE app_id = ?`, at.UnixMilli(), appID); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	return at, nil
}

// CancelDelete cancels a scheduled deletion (owners only).
func (s *Service) CancelDelete(ctx context.Context, appID string) error {
	const op = "cancel delete"
	if _, err := s.authorizeApp(ctx, appID, ActDeleteApp); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE console_apps SET delete_at = 0 WHERE app_id = ?`, appID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// PurgeDue deletes, in the engine, every app whose grace period has
// ended, and returns how many. It needs no actor: it is the scheduler's.
func (s *Service) PurgeDue(ctx context.Context) (int, error) {
	ids, err := s.appIDs(ctx, `SELECT app_id FROM console_apps WHERE delete_at != 0 AND delete_at <= ?`, s.nowMs())
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	n := 0
	for _, id := range ids {
		// console_apps' row goes with the engine's (ON DELETE CASCADE).
		if err := s.cfg.Engine.DeleteApp(ctx, id); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return n, fmt.Errorf("purge %s: %w", id, err)
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM console_apps WHERE app_id = ?`, id); err != nil {
			return n, fmt.Errorf("purge %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// TransferApp moves an app to another team. The actor must be an owner
// of both; the app keeps its ID, credentials and data.
func (s *Service) TransferApp(ctx context.Context, appID string, toTeam int64) error {
	const op = "transfer app"
	app, err := s.authorizeApp(ctx, appID, ActTransferApp)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, _, err := s.authorizeTeam(ctx, s.db, toTeam, ActTransferApp); err != nil {
		return fmt.Errorf("%s: to team %d: %w", op, toTeam, err)
	}
	if app.TeamID == toTeam {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE console_apps SET team_id = ? WHERE app_id = ?`, toTeam, appID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
