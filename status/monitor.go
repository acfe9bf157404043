package status

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Limits on the configuration.
const (
	// MaxInterval is the longest probe interval: a probe stands for at
	// most one interval, so a longer one would blur outages.
	MaxInterval = time.Minute
	// MaxMessages is the most messages one probe publishes (the engine's
	// default publish burst is 60 per connection).
	MaxMessages = 50
)

// Config configures a Monitor. Zero fields get the defaults listed.
type Config struct {
	// DB is the SQLite database (from db.Open). Required.
	DB *sql.DB
	// Logger receives probe failures and storage errors. Default: discard.
	Logger *slog.Logger
	// Now is the clock for recorded times and windows. Default: time.Now.
	// (Latencies are always measured on the monotonic clock.)
	Now func() time.Time

	// Apps creates and finds the internal probe app; *engine.Engine
	// satisfies it. Required for probing.
	Apps Apps
	// EngineURL is the engine's public WebSocket endpoint, the one real
	// clients use, e.g. "ws://127.0.0.1:8080/v1/ws". Required for probing.
	EngineURL string
	// NodeURLs are the base URLs of engine nodes to probe one by one, e.g.
	// "http://10.0.0.2:8080" (a cluster's nodes, -status-probe-urls). Each
	// run probes every node on its own after the EngineURL probe: connect,
	// messaging and peer messages through that node alone, stored per node
	// and shown as one row per node. The node's name is read from its
	// /healthz ("node: NAME"), else the URL's host. Empty: no per-node
	// probes, the single EngineURL probe only.
	NodeURLs []string
	// HTTPURL is fetched with GET for the "docs and forum HTTP" component,
	// e.g. the portal's /healthz or a docs page. Empty: not probed.
	HTTPURL string
	// HTTPClient fetches HTTPURL. Default: a client with ProbeTimeout.
	HTTPClient *http.Client

	// Interval between probes. Default 10 s; at most MaxInterval.
	Interval time.Duration
	// Messages published per probe. Default 5; at most MaxMessages.
	Messages int
	// ProbeTimeout bounds one probe run. Default 5 s.
	ProbeTimeout time.Duration
	// ReceiveTimeout is how long after publishing a message (or sending a
	// peer message) the probe waits for it to arrive; later counts as not
	// delivered. Default 2 s.
	ReceiveTimeout time.Duration
	// RollupEvery is how often Run calls Rollup. Default 1 minute.
	RollupEvery time.Duration
}

// Monitor probes the engine, stores and rolls up the results, computes
// the status figures and keeps incidents. Create it with New. It is safe
// for concurrent use.
type Monitor struct {
	cfg Config
	db  *sql.DB
	log *slog.Logger
	now func() time.Time

	appMu sync.Mutex
	app   engine.App // the probe app, once ensured

	probeMu sync.Mutex // one probe at a time

	namesMu sync.Mutex
	names   map[string]string // node URL → name last read from its /healthz
}

// New runs the status migrations (component "status") and returns a
// Monitor. It does not start probing; call Run for that.
func New(ctx context.Context, cfg Config) (*Monitor, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("status: Config.DB is required: %w", ErrInvalid)
	}
	if cfg.Interval < 0 || cfg.Interval > MaxInterval {
		return nil, fmt.Errorf("status: Interval %v must be at most %v: %w", cfg.Interval, MaxInterval, ErrInvalid)
	}
	if cfg.Messages < 0 || cfg.Messages > MaxMessages {
		return nil, fmt.Errorf("status: Messages %d must be 1-%d: %w", cfg.Messages, MaxMessages, ErrInvalid)
	}
	if err := validNodeURLs(cfg.NodeURLs); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval == 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.Messages == 0 {
		cfg.Messages = 5
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = 5 * time.Second
	}
	if cfg.ReceiveTimeout <= 0 {
		cfg.ReceiveTimeout = 2 * time.Second
	}
	if cfg.RollupEvery <= 0 {
		cfg.RollupEvery = time.Minute
	}
	if cfg.HTTPClient == nil {
		// A transport of its own: Run closes its idle connections when it
		// stops, so that a kept-alive probe connection never holds up the
		// server's graceful shutdown (http.Server.Shutdown waits for it).
		cfg.HTTPClient = &http.Client{Timeout: cfg.ProbeTimeout, Transport: &http.Transport{}}
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "status", sub); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return &Monitor{cfg: cfg, db: cfg.DB, log: cfg.Logger, now: cfg.Now}, nil
}

// Interval returns the probe interval in effect.
func (m *Monitor) Interval() time.Duration { return m.cfg.Interval }

// Run records the gap since the last stored probe (see CheckGap), then
// probes every Interval and rolls up every RollupEvery until ctx is done.
// It returns ctx's error, or an error at once if Apps or EngineURL is
// missing or the gap cannot be recorded.
func (m *Monitor) Run(ctx context.Context) error {
	if m.cfg.Apps == nil || m.cfg.EngineURL == "" {
		return fmt.Errorf("status: Config.Apps and Config.EngineURL are required for probing: %w", ErrInvalid)
	}
	if _, _, err := m.CheckGap(ctx); err != nil {
		return err
	}
	defer m.cfg.HTTPClient.CloseIdleConnections()
	tick := time.NewTicker(m.cfg.Interval)
	defer tick.Stop()
	lastRollup := time.Now()
	for {
		if _, err := m.ProbeOnce(ctx); err != nil && ctx.Err() == nil {
			m.log.ErrorContext(ctx, "status probe", "err", err)
		}
		if time.Since(lastRollup) >= m.cfg.RollupEvery {
			lastRollup = time.Now()
			if err := m.Rollup(ctx, m.now()); err != nil && ctx.Err() == nil {
				m.log.ErrorContext(ctx, "status rollup", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
