package console

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine is what the console needs of the engine: its apps and their
// credentials. *engine.Engine implements it.
type Engine interface {
	CreateApp(ctx context.Context, name string, opts ...engine.AppOption) (engine.App, error)
	GetApp(ctx context.Context, id string) (engine.App, error)
	RenameApp(ctx context.Context, id, name string) error
	DeleteApp(ctx context.Context, id string) error
	RotateCertificate(ctx context.Context, id string, overlap time.Duration) (string, error)
	RotateAPIKey(ctx context.Context, id string, overlap time.Duration) (string, error)
	APIKeys(ctx context.Context, id string) ([]engine.APIKeyInfo, error)
}

// Users finds forum accounts for invitations by username.
type Users interface {
	// UserIDByUsername returns the ID of the account with that username,
	// or ok=false.
	UserIDByUsername(ctx context.Context, username string) (id int64, ok bool, err error)
}

// Config holds the service's dependencies.
type Config struct {
	DB     *sql.DB
	Engine Engine
	Users  Users
	Logger *slog.Logger
	Now    func() time.Time
	// DeleteGrace is how long a scheduled deletion waits (default 7 days).
	DeleteGrace time.Duration
}

// DefaultDeleteGrace is the grace period of an app's deletion.
const DefaultDeleteGrace = 7 * 24 * time.Hour

// Service is the console's store and policy.
type Service struct {
	cfg Config
	db  *sql.DB
	log *slog.Logger
}

// New migrates the console's tables (after the engine's) and returns the
// service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DeleteGrace == 0 {
		cfg.DeleteGrace = DefaultDeleteGrace
	}
	if cfg.DB == nil || cfg.Engine == nil || cfg.Users == nil {
		return nil, fmt.Errorf("console: DB, Engine and Users are required: %w", ErrInvalid)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "console", sub); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, db: cfg.DB, log: cfg.Logger}, nil
}

// DeleteGrace is the configured grace period of a deletion.
func (s *Service) DeleteGrace() time.Duration { return s.cfg.DeleteGrace }

// Actor is the signed-in person acting in the console.
type Actor struct {
	UserID int64
	Name   string // shown as the personal team's name
	Email  string // matched against invitations by email
	// Staff may read every team and app (the support view), never change
	// one or see its secrets.
	Staff bool
}

type actorKey struct{}

// NewContext returns ctx carrying the actor.
func NewContext(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actor returns the context's actor or ErrUnauthorized.
func actor(ctx context.Context) (Actor, error) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok || a.UserID == 0 {
		return Actor{}, ErrUnauthorized
	}
	return a, nil
}

func (s *Service) nowMs() int64 { return s.cfg.Now().UnixMilli() }

// Run deletes the apps whose grace period has ended, every interval,
// until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.PurgeDue(ctx); err != nil {
			s.log.ErrorContext(ctx, "purge deleted apps", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "purged deleted apps", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
