package usage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Source is where the counters come from: *engine.Engine.
type Source interface {
	TakeUsage() []engine.AppUsage
}

// Config holds the service's dependencies.
type Config struct {
	DB     *sql.DB
	Source Source
	Logger *slog.Logger
	Now    func() time.Time
	// Interval is how often the counters are taken and written (default
	// a minute; tests make it short).
	Interval time.Duration
	// MinuteRetention and HourRetention: 48 hours and 30 days by default.
	MinuteRetention, HourRetention time.Duration
}

// Service takes the engine's counters and stores them.
type Service struct {
	cfg Config
	db  *sql.DB
	log *slog.Logger
}

// New migrates the usage tables and returns the service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Source == nil {
		return nil, errors.New("usage: DB and Source are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.MinuteRetention <= 0 {
		cfg.MinuteRetention = 48 * time.Hour
	}
	if cfg.HourRetention <= 0 {
		cfg.HourRetention = 30 * 24 * time.Hour
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "usage", sub); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, db: cfg.DB, log: cfg.Logger}, nil
}

// Interval is how often counters are written.
func (s *Service) Interval() time.Duration { return s.cfg.Interval }

// Run flushes every interval until ctx ends, then once more, so that a
// clean shutdown loses nothing.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.Flush(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("usage flush at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "usage flush", "err", err)
			}
		}
	}
}

// Flush takes the counters, adds them to the current minute's rows,
// recomputes the current and previous hours from their minutes, and
// deletes what is past retention: all in one transaction.
func (s *Service) Flush(ctx context.Context) error {
	const op = "usage flush"
	now := s.cfg.Now()
	taken := s.cfg.Source.TakeUsage()
	minute := now.Truncate(time.Minute).Unix()
	hour := now.Truncate(time.Hour).Unix()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	for _, u := range taken {
		p, err := period(ctx, tx, stepMinute, u.AppID, minute)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		p.add(u)
		if err := put(ctx, tx, stepMinute, u.AppID, &p); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		for _, h := range []int64{hour - 3600, hour} {
			if err := rollup(ctx, tx, u.AppID, h); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
		}
	}
	for _, r := range []struct {
		step int64
		keep time.Duration
	}{{stepMinute, s.cfg.MinuteRetention}, {stepHour, s.cfg.HourRetention}} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM usage_periods WHERE step = ? AND t < ?`, r.step, now.Add(-r.keep).Unix()); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Steps of the stored periods, in seconds.
const (
	stepMinute = 60
	stepHour   = 3600
)

// period reads one stored period, or an empty one starting at t.
func period(ctx context.Context, tx *sql.Tx, step int64, app string, t int64) (Period, error) {
	p, err := scanPeriod(tx.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM usage_periods WHERE app_id = ? AND step = ? AND t = ?`, app, step, t))
	if errors.Is(err, sql.ErrNoRows) {
		return Period{T: t}, nil
	}
	return p, err
}

func put(ctx context.Context, tx *sql.Tx, step int64, app string, p *Period) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO usage_periods (app_id, step, `+periodColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{app, step}, p.args()...)...)
	return err
}

// rollup recomputes the hour starting at h from its minutes.
func rollup(ctx context.Context, tx *sql.Tx, app string, h int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+periodColumns+` FROM usage_periods WHERE app_id = ? AND step = ? AND t >= ? AND t < ? ORDER BY t`,
		app, stepMinute, h, h+stepHour)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	defer rows.Close()
	hp := Period{T: h}
	n := 0
	for rows.Next() {
		m, err := scanPeriod(rows)
		if err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
		hp.merge(&m)
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	if n == 0 {
		return nil // minutes already deleted: keep the hour as it was
	}
	return put(ctx, tx, stepHour, app, &hp)
}
