package support

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
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Errors. Portal maps them to statuses in its one table.
var (
	// ErrNotFound: no such ticket or plan, or one the caller may not see.
	ErrNotFound = errors.New("support: not found")
	// ErrForbidden: the caller may see the ticket but not do this to it.
	ErrForbidden = errors.New("support: forbidden")
	// ErrUnauthorized: signing in is required.
	ErrUnauthorized = errors.New("support: sign in required")
	// ErrInvalid: the input cannot be accepted; see Error for which field.
	ErrInvalid = errors.New("support: invalid input")
)

// Error is an ErrInvalid or ErrForbidden with the locale message that
// says why.
type Error struct {
	Kind  error
	Field string
	ID    string // locale message ID
}

func (e *Error) Error() string     { return fmt.Sprintf("%v: %s (%s)", e.Kind, e.Field, e.ID) }
func (e *Error) Unwrap() error     { return e.Kind }
func (e *Error) MessageID() string { return e.ID }

func invalid(field, id string) error { return &Error{Kind: ErrInvalid, Field: field, ID: id} }

// Team is a customer team, as the console knows it.
type Team struct {
	ID   int64
	Name string
}

// Teams answers which teams a user belongs to; the console implements it
// (PersonalTeams until then).
type Teams interface {
	// TeamsOf returns the teams the user is a member of.
	TeamsOf(ctx context.Context, userID int64) ([]Team, error)
	// IsMember reports whether the user is a member of the team.
	IsMember(ctx context.Context, teamID, userID int64) (bool, error)
	// TeamByName returns the team with that name, or ErrNotFound.
	TeamByName(ctx context.Context, name string) (Team, error)
}

// Render turns Markdown into sanitized HTML, exactly as a forum post
// (forum.Store.RenderPreview: the same Markdown dialect and sanitizer).
type Render func(src string) (string, error)

// Config configures a Service.
type Config struct {
	DB    *sql.DB
	Teams Teams
	// Apps lists a team's console apps and snapshots their usage (nil:
	// tickets name no app).
	Apps   Apps
	Render Render
	// Users finds staff accounts, to check a reassignment (nil: staff may
	// only claim and unclaim).
	Users interface {
		FindUser(ctx context.Context, id int64) (*forum.User, error)
	}
	// Schedule returns the business-hours schedule (the forum's, which an
	// admin's calendar update replaces).
	Schedule func() *sla.Schedule
	Logger   *slog.Logger
	Now      func() time.Time
}

// Service is the support desk.
type Service struct {
	cfg      Config
	db       *sql.DB
	log      *slog.Logger
	now      func() time.Time
	schedule func() *sla.Schedule
}

// Open migrates the support tables, seeds the plans once and returns the
// service.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Teams == nil || cfg.Render == nil || cfg.Schedule == nil {
		return nil, fmt.Errorf("support: DB, Teams, Render and Schedule are required: %w", ErrInvalid)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("support: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "support", sub); err != nil {
		return nil, fmt.Errorf("support: %w", err)
	}
	s := &Service{cfg: cfg, db: cfg.DB, log: cfg.Logger, now: cfg.Now, schedule: cfg.Schedule}
	if err := s.seed(ctx); err != nil {
		return nil, fmt.Errorf("support: %w", err)
	}
	return s, nil
}

// Actor is who is asking, as the policy needs to know.
type Actor struct {
	UserID   int64 // 0: anonymous
	Staff    bool  // forum staff, moderators and admins
	Admin    bool
	Verified bool // the e-mail address is confirmed
	Banned   bool // suspended now
}

// actor reads the signed-in forum user from ctx.
func (s *Service) actor(ctx context.Context) Actor {
	u := forum.UserFromContext(ctx)
	if u == nil || u.ID == 0 {
		return Actor{}
	}
	return Actor{UserID: u.ID, Staff: u.Role.Team(), Admin: u.Role == forum.RoleAdmin, Verified: u.Verified(), Banned: u.Suspended(s.now())}
}

// TeamByName finds a team by name (for admins assigning plans).
func (s *Service) TeamByName(ctx context.Context, name string) (Team, error) {
	return s.cfg.Teams.TeamByName(ctx, name)
}
