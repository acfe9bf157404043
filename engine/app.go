package engine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// App is a tenant of the engine. Its ID and Certificate are what a backend
// needs to mint tokens. Channels, presence, history and peer messages of
// different apps never mix.
type App struct {
	ID          string
	Certificate string
	Name        string
	CreatedAt   time.Time
	// Limits overrides engine limits for this app (zero fields = engine default).
	Limits AppLimits
	// APIKey is the server API key, set only in the App that CreateApp
	// returns: the engine keeps just its hash (see RotateAPIKey).
	APIKey string
	// PreviousCertificate still verifies tokens until
	// PreviousCertificateExpires, after a RotateCertificate with an overlap.
	PreviousCertificate        string
	PreviousCertificateExpires time.Time
}

// AppLimits are the per-app limit overrides. Zero means "engine default".
type AppLimits struct {
	MaxConns     int     // connections per app
	PublishRate  float64 // publish+peer messages per second per connection
	PublishBurst int     // token bucket size
	APIRate      float64 // server API requests per second for the app (burst the same)
}

// AppOption sets optional fields at CreateApp.
type AppOption func(*App)

// WithAppLimits sets per-app limit overrides.
func WithAppLimits(l AppLimits) AppOption { return func(a *App) { a.Limits = l } }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// CreateApp creates an app with a fresh App ID (32 hex characters),
// certificate (64 hex characters) and server API key (App.APIKey). It
// returns ErrInvalid for an empty name.
func (e *Engine) CreateApp(ctx context.Context, name string, opts ...AppOption) (App, error) {
	name, err := validAppName(name)
	if err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	a := App{ID: randomHex(16), Certificate: randomHex(32), Name: name, CreatedAt: e.now().UTC().Truncate(time.Millisecond)}
	for _, o := range opts {
		o(&a)
	}
	if err := a.Limits.validate(); err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO engine_apps (id, name, certificate, created_at, max_conns, publish_rate, publish_burst, api_rate)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Name, a.Certificate, a.CreatedAt.UnixMilli(),
		a.Limits.MaxConns, a.Limits.PublishRate, a.Limits.PublishBurst, a.Limits.APIRate); err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	if a.APIKey, err = insertAPIKey(ctx, tx, a.ID, a.CreatedAt); err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	if err := e.shareApp(ctx, a.ID); err != nil {
		return App{}, fmt.Errorf("create app: %w", err)
	}
	return a, nil
}

// validAppName trims a name and checks it is 1-200 bytes.
func validAppName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", fmt.Errorf("name must be 1-200 bytes: %w", ErrInvalid)
	}
	return name, nil
}

func (l AppLimits) validate() error {
	if l.MaxConns < 0 || l.PublishRate < 0 || l.PublishBurst < 0 || l.APIRate < 0 {
		return fmt.Errorf("negative app limit: %w", ErrInvalid)
	}
	return nil
}

// SetAppLimits replaces an app's limit overrides. The connection limit
// applies to new connections; the publish rate and burst to open
// connections too. Another engine on the same database (a running server,
// when the CLI changes limits) applies the change within AppCacheTTL.
func (e *Engine) SetAppLimits(ctx context.Context, id string, l AppLimits) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("set app limits: %w", err)
	}
	res, err := e.db.ExecContext(ctx, `UPDATE engine_apps SET max_conns = ?, publish_rate = ?, publish_burst = ?, api_rate = ? WHERE id = ?`,
		l.MaxConns, l.PublishRate, l.PublishBurst, l.APIRate, id)
	if err != nil {
		return fmt.Errorf("set app limits: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set app limits %s: %w", id, ErrNotFound)
	}
	e.apps.forget(id)
	if err := e.shareApp(ctx, id); err != nil {
		return fmt.Errorf("set app limits: %w", err)
	}
	return nil
}

const appColumns = `id, name, certificate, created_at, max_conns, publish_rate, publish_burst, api_rate, prev_certificate, prev_cert_expires`

func scanApp(row interface{ Scan(...any) error }) (App, error) {
	var a App
	var created, prevExpires int64
	err := row.Scan(&a.ID, &a.Name, &a.Certificate, &created, &a.Limits.MaxConns, &a.Limits.PublishRate, &a.Limits.PublishBurst, &a.Limits.APIRate,
		&a.PreviousCertificate, &prevExpires)
	a.CreatedAt = time.UnixMilli(created).UTC()
	if prevExpires != 0 {
		a.PreviousCertificateExpires = time.UnixMilli(prevExpires).UTC()
	}
	return a, err
}

// GetApp returns the app with the given ID, or ErrNotFound.
func (e *Engine) GetApp(ctx context.Context, id string) (App, error) {
	if a, ok := e.apps.get(id, e.now()); ok {
		return a, nil
	}
	a, err := scanApp(e.db.QueryRowContext(ctx, `SELECT `+appColumns+` FROM engine_apps WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, fmt.Errorf("get app %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return App{}, fmt.Errorf("get app: %w", err)
	}
	e.apps.put(a, e.now())
	return a, nil
}

// ListApps returns all apps, oldest first.
func (e *Engine) ListApps(ctx context.Context) ([]App, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT `+appColumns+` FROM engine_apps ORDER BY created_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	defer rows.Close()
	var apps []App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("list apps: %w", err)
		}
		apps = append(apps, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return apps, nil
}

// DeleteApp deletes an app with its history, streams and stored peer
// messages, and closes its clients' connections with close code 4004.
// It returns ErrNotFound if there is no such app. With a Registry, every
// node of the cluster deletes it too.
func (e *Engine) DeleteApp(ctx context.Context, id string) error {
	if err := e.deleteLocal(ctx, id); err != nil {
		return err
	}
	if e.cfg.Registry != nil {
		if err := e.cfg.Registry.Delete(ctx, id); err != nil {
			return fmt.Errorf("delete app: %w", err)
		}
	}
	return nil
}

// deleteLocal deletes the app from this node.
func (e *Engine) deleteLocal(ctx context.Context, id string) error {
	res, err := e.db.ExecContext(ctx, `DELETE FROM engine_apps WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete app %q: %w", id, ErrNotFound)
	}
	e.apps.forget(id)
	e.hub.closeApp(id, CloseAppDeleted, "app deleted")
	if err := e.broker.RemoveApp(ctx, id); err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	if err := e.presence.RemoveApp(ctx, id); err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	return nil
}
