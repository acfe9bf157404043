package alerts

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/usage"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Metric is what a rule watches.
type Metric string

// Metrics. Each is measured over the rule's window of minutes from the
// stored usage minutes (package usage); the docs page "Alerts" says the
// same.
const (
	// DeliveryRate fires below Threshold percent (deliveries written ÷
	// deliveries due); a window with nothing due is not breached.
	DeliveryRate Metric = "delivery_rate"
	// P99 fires above Threshold milliseconds of server-side latency; a
	// window with no deliveries is not breached.
	P99 Metric = "p99_ms"
	// ErrorRate fires above Threshold protocol errors per minute, of Code
	// or of every code when Code is empty.
	ErrorRate Metric = "error_rate"
	// Connections fires above Threshold connected clients at the window's
	// latest minute with activity (the current minute's: the last flush).
	Connections Metric = "connections"
)

// Metrics lists the metrics in form order.
var Metrics = []Metric{DeliveryRate, P99, ErrorRate, Connections}

func (m Metric) valid() bool {
	return m == DeliveryRate || m == P99 || m == ErrorRate || m == Connections
}

// Errors.
var (
	ErrNotFound = errors.New("alerts: rule not found")
	ErrInvalid  = errors.New("alerts: invalid rule")
)

// MaxWindow is the longest window, in minutes.
const MaxWindow = 60

// Rule is one alert rule of an app.
type Rule struct {
	ID        int64
	AppID     string
	Metric    Metric
	Code      string // ErrorRate only: a protocol code, or "" for all
	Threshold float64
	Window    int // minutes, 1..MaxWindow
	Firing    bool
	CreatedBy int64
	CreatedAt time.Time
}

// Event is one firing or resolution.
type Event struct {
	ID        int64
	RuleID    int64
	AppID     string
	Kind      string // KindFired or KindResolved
	Metric    Metric
	Code      string
	Threshold float64
	Window    int
	Value     float64
	At        time.Time
}

// Event kinds.
const (
	KindFired    = "fired"
	KindResolved = "resolved"
)

// Source is the usage store: *usage.Service.
type Source interface {
	// Summary merges the app's minutes that start in [from, to).
	Summary(ctx context.Context, appID string, from, to time.Time) (usage.Period, int, error)
}

// Config holds the service's dependencies.
type Config struct {
	DB     *sql.DB
	Usage  Source
	Logger *slog.Logger
	Now    func() time.Time
	// OnEvent is called after each committed firing or resolution. It
	// runs on the evaluating goroutine: it should queue, not wait.
	OnEvent func(ctx context.Context, e Event)
}

// Service stores rules and history and evaluates the rules.
type Service struct {
	cfg     Config
	db      *sql.DB
	log     *slog.Logger
	flushed chan time.Time
}

// New migrates the alert tables and returns the service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Usage == nil {
		return nil, errors.New("alerts: DB and Usage are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "alerts", sub); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, db: cfg.DB, log: cfg.Logger, flushed: make(chan time.Time, 1)}, nil
}

// NewRule is what a rule form sends.
type NewRule struct {
	AppID     string
	Metric    Metric
	Code      string
	Threshold float64
	Window    int
	CreatedBy int64
}

func (n *NewRule) validate() error {
	n.Code = strings.TrimSpace(n.Code)
	switch {
	case !n.Metric.valid():
		return fmt.Errorf("metric %q: %w", n.Metric, ErrInvalid)
	case n.Window < 1 || n.Window > MaxWindow:
		return fmt.Errorf("window %d: %w", n.Window, ErrInvalid)
	case n.Threshold < 0 || n.Threshold != n.Threshold:
		return fmt.Errorf("threshold: %w", ErrInvalid)
	case n.Metric == DeliveryRate && n.Threshold > 100:
		return fmt.Errorf("delivery rate above 100%%: %w", ErrInvalid)
	case n.Metric != ErrorRate && n.Code != "":
		return fmt.Errorf("a code is for error rate rules: %w", ErrInvalid)
	}
	if n.Code != "" {
		if _, err := strconv.ParseUint(n.Code, 10, 16); err != nil {
			return fmt.Errorf("code %q: %w", n.Code, ErrInvalid)
		}
	}
	return nil
}

// Create adds a rule (the caller has authorized console.ActManageAlerts).
func (s *Service) Create(ctx context.Context, n NewRule) (Rule, error) {
	if err := n.validate(); err != nil {
		return Rule{}, fmt.Errorf("create alert rule: %w", err)
	}
	now := s.cfg.Now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO alert_rules (app_id, metric, code, threshold, window_min, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.AppID, n.Metric, n.Code, n.Threshold, n.Window, n.CreatedBy, now.UnixMilli())
	if err != nil {
		return Rule{}, fmt.Errorf("create alert rule: %w", err)
	}
	id, _ := res.LastInsertId()
	return Rule{ID: id, AppID: n.AppID, Metric: n.Metric, Code: n.Code, Threshold: n.Threshold, Window: n.Window,
		CreatedBy: n.CreatedBy, CreatedAt: now.UTC()}, nil
}

// Delete removes the app's rule; its history stays.
func (s *Service) Delete(ctx context.Context, appID string, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = ? AND app_id = ?`, id, appID)
	if err != nil {
		return fmt.Errorf("delete alert rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const ruleColumns = `id, app_id, metric, code, threshold, window_min, firing, created_by, created_at`

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var created int64
	err := row.Scan(&r.ID, &r.AppID, &r.Metric, &r.Code, &r.Threshold, &r.Window, &r.Firing, &r.CreatedBy, &created)
	r.CreatedAt = time.UnixMilli(created).UTC()
	return r, err
}

// Rules lists the app's rules, oldest first.
func (s *Service) Rules(ctx context.Context, appID string) ([]Rule, error) {
	return s.rules(ctx, `WHERE app_id = ? ORDER BY id`, appID)
}

func (s *Service) rules(ctx context.Context, where string, args ...any) ([]Rule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ruleColumns+` FROM alert_rules `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("alert rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// History returns the newest events of the given apps (at most limit).
func (s *Service) History(ctx context.Context, appIDs []string, limit int) ([]Event, error) {
	if len(appIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(appIDs)+1)
	for _, id := range appIDs {
		args = append(args, id)
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT id, rule_id, app_id, kind, metric, code, threshold, window_min, value, at
		FROM alert_events WHERE app_id IN (?`+strings.Repeat(", ?", len(appIDs)-1)+`) ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("alert history: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &e.RuleID, &e.AppID, &e.Kind, &e.Metric, &e.Code, &e.Threshold, &e.Window, &e.Value, &at); err != nil {
			return nil, fmt.Errorf("alert history: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
