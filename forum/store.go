package forum

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/search"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Config configures a Store. Zero fields take the documented defaults.
type Config struct {
	// Renderer turns Markdown into HTML (the docs renderer); the forum
	// sanitizes its output. Required for writing posts.
	Renderer Renderer
	// Logger receives internal errors (default: slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default: time.Now). Tests inject a fake one.
	Now func() time.Time
	// Password sets the argon2id cost (default DefaultPasswordParams).
	Password PasswordParams
	// SessionTTL is how long a login lasts (default 30 days).
	SessionTTL time.Duration
	// ResetTTL is how long a password reset link stays valid (default 24 h).
	ResetTTL time.Duration
	// FlagThreshold is the number of distinct users whose open flags hide
	// a post pending review (default 3).
	FlagThreshold int
	// Limits are the posting and login rate limits (see Limits).
	Limits Limits
	// ViewFlush is how often counted topic views are written (default 10 s).
	ViewFlush time.Duration
}

// Store is the forum service backed by SQLite.
type Store struct {
	db       *sql.DB
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	policy   *sanitizer
	throttle *loginThrottle
	stmts    *stmtCache
	pages    *pageCache
	search   *search.Index // forum_ix_* tables, see search.go
	// docsTopics caches TopicsForDocsPage per page-cache generation.
	docsTopics docsTopicsCache
	views      viewCounter

	dummyOnce sync.Once
	dummy     string

	mu       sync.RWMutex
	onEvents []func(context.Context, Event)
}

// Open applies the forum migrations to d and returns a Store. It does not
// seed anything; call Seed.
func Open(ctx context.Context, d *sql.DB, cfg Config) (*Store, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("forum migrations: %w", err)
	}
	if err := db.Migrate(ctx, d, "forum", sub); err != nil {
		return nil, fmt.Errorf("open forum: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = DefaultPasswordParams
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = 24 * time.Hour
	}
	if cfg.ViewFlush <= 0 {
		cfg.ViewFlush = 10 * time.Second
	}
	if cfg.FlagThreshold <= 0 {
		cfg.FlagThreshold = 3
	}
	cfg.Limits = cfg.Limits.withDefaults()
	stmts, err := prepareHot(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("open forum: %w", err)
	}
	s := &Store{db: d, cfg: cfg, log: cfg.Logger, now: cfg.Now, policy: newSanitizer(), stmts: stmts, pages: newPageCache()}
	s.throttle = newLoginThrottle(cfg.Limits, cfg.Now)
	s.views.flushed = cfg.Now()
	if err := s.openSearch(ctx); err != nil {
		return nil, fmt.Errorf("open forum: %w", err)
	}
	return s, nil
}

// Generation changes whenever a write the Store made is committed (a post,
// a vote, a moderation action, a topic's response-time figures), so a page
// built from the forum's data is current as long as Generation is the same
// as when it was built.
func (s *Store) Generation() uint64 { return s.pages.gen.Load() }

// OnEvent registers f to be called, after the transaction commits, with
// every topic event the Store records (posts, accepts, pauses, ...). The
// SLA clock uses it to update its per-topic metrics. f must not block.
func (s *Store) OnEvent(f func(ctx context.Context, e Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onEvents = append(s.onEvents, f)
}

// txn is a write transaction that remembers the events it recorded, so that
// they are published only once it commits.
type txn struct {
	*sql.Tx
	now    time.Time
	events []Event
	stmts  *stmtCache
}

// begin starts a write transaction (IMMEDIATE, see db.Open) with a fixed
// "now" for every row it writes.
func (s *Store) begin(ctx context.Context) (*txn, error) {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &txn{Tx: t, now: s.now().UTC(), stmts: s.stmts}, nil
}

// read starts a read-only (deferred) transaction, which does not queue
// behind writers in WAL mode.
func (s *Store) read(ctx context.Context) (*txn, error) {
	t, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return &txn{Tx: t, now: s.now().UTC(), stmts: s.stmts}, nil
}

// commit commits t and then publishes its events.
func (s *Store) commit(ctx context.Context, t *txn) error {
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.pages.gen.Add(1) // any write may change any cached page
	if len(t.events) == 0 {
		return nil
	}
	s.mu.RLock()
	hooks := s.onEvents
	s.mu.RUnlock()
	for _, e := range t.events {
		for _, f := range hooks {
			f(ctx, e)
		}
	}
	return nil
}

// ms converts a time to the stored representation: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts a stored timestamp back; 0 stays the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// nullMS converts a nullable stored timestamp.
func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// msOrNil stores the zero time as NULL.
func msOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
