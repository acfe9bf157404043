package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// App is a sandbox app as its creator sees it.
type App struct {
	ID string `json:"app_id"`
	// APIKey is the app's server API key, returned once, at creation.
	APIKey    string    `json:"api_key"`
	Users     []User    `json:"users"`
	ExpiresAt time.Time `json:"expires_at"`
}

// User is a demo user with a token valid until the app expires.
type User struct {
	ID    string `json:"user_id"`
	Token string `json:"token"`
}

// demoNames are the demo users' IDs, in the order they are handed out.
var demoNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}

// CreateApp creates a sandbox app for the client at ip with users demo
// users (0 means Limits.DefaultUsers). It returns ErrInvalid when users is
// outside 2..Limits.MaxUsers and a *QuotaError (ErrQuota) when ip already
// created Limits.AppsPerIP apps within Limits.AppsPerIPWindow.
func (s *Service) CreateApp(ctx context.Context, ip string, users int) (App, error) {
	const op = "sandbox: create app"
	if users == 0 {
		users = s.limits.DefaultUsers
	}
	maxUsers := min(s.limits.MaxUsers, len(demoNames))
	if users < 2 || users > maxUsers {
		return App{}, invalid("sandbox.error.users", fmt.Sprintf("users %d outside 2..%d", users, maxUsers))
	}
	s.createMu.Lock()
	defer s.createMu.Unlock()
	now := s.now()
	since := now.Add(-s.limits.AppsPerIPWindow).UnixMilli()
	var count int
	var oldest sql.NullInt64
	err := s.cfg.DB.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM sandbox_creations WHERE client_ip = ? AND created_at > ?`,
		ip, since).Scan(&count, &oldest)
	if err != nil {
		return App{}, wrap(op, err)
	}
	if count >= s.limits.AppsPerIP {
		retry := time.UnixMilli(oldest.Int64).Add(s.limits.AppsPerIPWindow).Sub(now)
		return App{}, quota("sandbox.error.ip_quota", retry, fmt.Sprintf("%s created %d apps", ip, count))
	}
	ea, err := s.cfg.Engine.CreateApp(ctx, "sandbox", engine.WithAppLimits(engine.AppLimits{
		MaxConns: s.limits.AppMaxConns, PublishRate: s.limits.AppPublishRate, PublishBurst: s.limits.AppPublishBurst,
		// The sandbox is public: its server API gets a connection's rate, not a backend's.
		APIRate: s.limits.AppPublishRate,
	}))
	if err != nil {
		return App{}, wrap(op, err)
	}
	exp := now.Add(s.limits.AppTTL).UTC().Truncate(time.Second)
	app := App{ID: ea.ID, APIKey: ea.APIKey, ExpiresAt: exp}
	names := demoNames[:users]
	for _, u := range names {
		tok, err := engine.MintToken(ea.ID, ea.Certificate, engine.Claims{Subject: u, IssuedAt: now, ExpiresAt: exp}, 0)
		if err != nil {
			s.cfg.Engine.DeleteApp(ctx, ea.ID)
			return App{}, wrap(op, err)
		}
		app.Users = append(app.Users, User{ID: u, Token: tok})
	}
	namesJSON, _ := json.Marshal(names)
	tx, err := s.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		s.cfg.Engine.DeleteApp(ctx, ea.ID)
		return App{}, wrap(op, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_creations (client_ip, created_at) VALUES (?, ?)`, ip, now.UnixMilli()); err != nil {
		s.cfg.Engine.DeleteApp(ctx, ea.ID)
		return App{}, wrap(op, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_apps (app_id, client_ip, users, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		ea.ID, ip, string(namesJSON), now.UnixMilli(), exp.UnixMilli()); err != nil {
		s.cfg.Engine.DeleteApp(ctx, ea.ID)
		return App{}, wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		s.cfg.Engine.DeleteApp(ctx, ea.ID)
		return App{}, wrap(op, err)
	}
	return app, nil
}

// appRecord is a stored sandbox app.
type appRecord struct {
	ID        string
	Users     []string
	ExpiresAt time.Time
}

// lookup returns the live sandbox app id, or ErrNotFound when there is no
// such sandbox app or it has expired. Engine apps that are not sandbox
// apps are never found here.
func (s *Service) lookup(ctx context.Context, id string) (appRecord, error) {
	var users string
	var exp int64
	err := s.cfg.DB.QueryRowContext(ctx, `SELECT users, expires_at FROM sandbox_apps WHERE app_id = ?`, id).Scan(&users, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return appRecord{}, &Error{Kind: ErrNotFound, ID: "sandbox.error.app_not_found", Msg: id}
	}
	if err != nil {
		return appRecord{}, fmt.Errorf("sandbox: lookup: %w", err)
	}
	r := appRecord{ID: id, ExpiresAt: time.UnixMilli(exp).UTC()}
	if !r.ExpiresAt.After(s.now()) {
		return appRecord{}, &Error{Kind: ErrNotFound, ID: "sandbox.error.app_not_found", Msg: id + " expired"}
	}
	if err := json.Unmarshal([]byte(users), &r.Users); err != nil {
		return appRecord{}, fmt.Errorf("sandbox: lookup: %w", err)
	}
	return r, nil
}

// Sweep deletes every expired sandbox app from the engine, with its
// history, presence and stored messages, drops creation records older than
// the quota window and reports older than Limits.ReportTTL. It returns how
// many apps it deleted.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	const op = "sandbox: sweep"
	now := s.now()
	rows, err := s.cfg.DB.QueryContext(ctx, `SELECT app_id FROM sandbox_apps WHERE expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, wrap(op, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, wrap(op, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap(op, err)
	}
	n := 0
	for _, id := range ids {
		s.lt.cancelApp(id)
		if err := s.cfg.Engine.DeleteApp(ctx, id); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return n, wrap(op, err)
		}
		if _, err := s.cfg.DB.ExecContext(ctx, `DELETE FROM sandbox_apps WHERE app_id = ?`, id); err != nil {
			return n, wrap(op, err)
		}
		n++
	}
	if _, err := s.cfg.DB.ExecContext(ctx, `DELETE FROM sandbox_creations WHERE created_at <= ?`,
		now.Add(-s.limits.AppsPerIPWindow).UnixMilli()); err != nil {
		return n, wrap(op, err)
	}
	if _, err := s.cfg.DB.ExecContext(ctx, `DELETE FROM sandbox_reports WHERE created_at <= ?`,
		now.Add(-s.limits.ReportTTL).UnixMilli()); err != nil {
		return n, wrap(op, err)
	}
	return n, nil
}

// Owns reports (nil) whether apiKey is the server API key of the live
// sandbox app id: what its anonymous creator holds, and so the proof that
// lets them keep it. Anything else is the same ErrNotFound, so that
// sandbox App IDs cannot be probed.
func (s *Service) Owns(ctx context.Context, id, apiKey string) error {
	if _, err := s.lookup(ctx, id); err != nil {
		return err
	}
	ea, err := s.cfg.Engine.AppByAPIKey(ctx, apiKey)
	if err != nil || ea.ID != id {
		return &Error{Kind: ErrNotFound, ID: "sandbox.error.app_not_found", Msg: id + ": not its API key"}
	}
	return nil
}

// Release stops treating id as a sandbox app: it no longer expires and
// the sweeper leaves it (and its data) alone. A running load test on it
// is cancelled.
func (s *Service) Release(ctx context.Context, id string) error {
	s.lt.cancelApp(id)
	if _, err := s.cfg.DB.ExecContext(ctx, `DELETE FROM sandbox_apps WHERE app_id = ?`, id); err != nil {
		return wrap("sandbox: release", err)
	}
	return nil
}
