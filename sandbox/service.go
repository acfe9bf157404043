package sandbox

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Service creates, expires and load-tests sandbox apps.
type Service struct {
	cfg    Config
	limits Limits
	log    *slog.Logger
	now    func() time.Time

	createMu sync.Mutex // serializes the per-IP quota check with its insert

	lt loadTests

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// New migrates the sandbox tables and returns a service. Call Start to run
// the expiry sweeper and Close to stop it and any running load test.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Engine == nil {
		return nil, errors.New("sandbox: Config.DB and Config.Engine are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, cfg.DB, "sandbox", sub); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, limits: cfg.Limits.withDefaults(), log: cfg.Logger, now: cfg.Now, stop: make(chan struct{})}
	s.lt.init()
	return s, nil
}

// Limits returns the quotas in force.
func (s *Service) Limits() Limits { return s.limits }

// Start runs the expiry sweeper in the background until Close.
func (s *Service) Start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.SweepInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if n, err := s.Sweep(ctx); err != nil {
					s.log.ErrorContext(ctx, "sandbox sweep", "err", err)
				} else if n > 0 {
					s.log.InfoContext(ctx, "sandbox apps expired", "count", n)
				}
				cancel()
			}
		}
	}()
}

// Close stops the sweeper and cancels running load tests, waiting for them.
func (s *Service) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.lt.cancelAll()
	s.wg.Wait()
	return nil
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
