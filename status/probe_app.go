package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Apps is what the prober needs from the engine to own an internal app.
// *engine.Engine satisfies it.
type Apps interface {
	// CreateApp creates an app with a fresh ID and certificate.
	CreateApp(ctx context.Context, name string, opts ...engine.AppOption) (engine.App, error)
	// GetApp returns an app, or an error wrapping engine.ErrNotFound.
	GetApp(ctx context.Context, id string) (engine.App, error)
}

var _ Apps = (*engine.Engine)(nil)

// ProbeAppName is the name of the internal app the prober connects to.
const ProbeAppName = "Switchboard status probe"

const metaProbeApp = "probe_app_id"

// EnsureProbeApp returns the internal probe app, creating it on first use
// and remembering its ID in status_meta. If the remembered app was deleted,
// a new one is created.
func (m *Monitor) EnsureProbeApp(ctx context.Context) (engine.App, error) {
	m.appMu.Lock()
	defer m.appMu.Unlock()
	if m.cfg.Apps == nil {
		return engine.App{}, fmt.Errorf("ensure probe app: Config.Apps is required: %w", ErrInvalid)
	}
	id, err := m.meta(ctx, metaProbeApp)
	if err != nil {
		return engine.App{}, fmt.Errorf("ensure probe app: %w", err)
	}
	if id != "" {
		if m.app.ID == id {
			return m.app, nil
		}
		a, err := m.cfg.Apps.GetApp(ctx, id)
		if err == nil {
			m.app = a
			return a, nil
		}
		if !errors.Is(err, engine.ErrNotFound) {
			return engine.App{}, fmt.Errorf("ensure probe app: %w", err)
		}
	}
	a, err := m.cfg.Apps.CreateApp(ctx, ProbeAppName)
	if err != nil {
		return engine.App{}, fmt.Errorf("ensure probe app: %w", err)
	}
	if err := m.setMeta(ctx, metaProbeApp, a.ID); err != nil {
		return engine.App{}, fmt.Errorf("ensure probe app: %w", err)
	}
	m.app = a
	return a, nil
}

func (m *Monitor) meta(ctx context.Context, key string) (string, error) {
	var v string
	err := m.db.QueryRowContext(ctx, `SELECT value FROM status_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read status_meta %s: %w", key, err)
	}
	return v, nil
}

func (m *Monitor) setMeta(ctx context.Context, key, value string) error {
	_, err := m.db.ExecContext(ctx, `INSERT INTO status_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write status_meta %s: %w", key, err)
	}
	return nil
}

// forgetProbeApp drops the cached probe app, so that the next
// EnsureProbeApp checks it still exists.
func (m *Monitor) forgetProbeApp() {
	m.appMu.Lock()
	defer m.appMu.Unlock()
	m.app = engine.App{}
}

// ProbeAppID returns the probe app's ID without creating it ("" before
// the first probe), so that app lists can mark or hide the internal app.
func (m *Monitor) ProbeAppID(ctx context.Context) (string, error) {
	id, err := m.meta(ctx, metaProbeApp)
	if err != nil {
		return "", fmt.Errorf("probe app id: %w", err)
	}
	return id, nil
}
