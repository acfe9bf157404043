package mail

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	netmail "net/mail"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Config configures an Outbox. Zero fields take the defaults noted.
type Config struct {
	DB     *sql.DB
	Logger *slog.Logger
	From   string // the From address, e.g. "Switchboard <support@example.com>"
	SMTP   SMTP   // zero Addr: keep messages in the outbox
	// Localize returns message id of the locales in lang with data, or an
	// error when the id is missing; Send composes with it.
	Localize func(lang, id string, data map[string]any) (string, error)

	MinBackoff time.Duration // first retry delay; default 30 s
	MaxBackoff time.Duration // default 1 h
	MaxAge     time.Duration // a message still unsent this old fails for good; default 72 h
	Poll       time.Duration // how often an idle Run looks for due rows; default 5 s
	Now        func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.From == "" {
		c.From = "Switchboard <noreply@localhost>"
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Hour
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 72 * time.Hour
	}
	if c.Poll <= 0 {
		c.Poll = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Outbox stores messages and, in Run, delivers them.
type Outbox struct {
	cfg Config
	db  *sql.DB
	// envelopeFrom is the bare address of cfg.From, for MAIL FROM.
	envelopeFrom string
	log          *slog.Logger
	wake         chan struct{}
}

// Open migrates the outbox's tables and returns it.
func Open(ctx context.Context, cfg Config) (*Outbox, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("mail: Config.DB is required: %w", ErrInvalid)
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "mail", sub); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	cfg = cfg.withDefaults()
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: the From address %q: %w", cfg.From, ErrInvalid)
	}
	return &Outbox{cfg: cfg, db: cfg.DB, envelopeFrom: from.Address, log: cfg.Logger, wake: make(chan struct{}, 1)}, nil
}

// Configured reports whether an SMTP server is set, that is, whether
// Run delivers.
func (o *Outbox) Configured() bool { return o.cfg.SMTP.Addr != "" }

// Enqueue stores msg for delivery and returns its outbox ID. Once it
// returns, the message survives a crash.
func (o *Outbox) Enqueue(ctx context.Context, msg Message) (int64, error) {
	now := o.cfg.Now()
	raw, err := build(msg, o.cfg.From, now)
	if err != nil {
		return 0, err
	}
	res, err := o.db.ExecContext(ctx, `INSERT INTO mail_outbox (kind, recipient, lang, subject, text_body, raw, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, msg.Kind, msg.To, msg.Lang, msg.Subject, msg.Text, raw, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("enqueue mail: %w", err)
	}
	id, _ := res.LastInsertId()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return id, nil
}

// Entry is one outbox row as admins see it.
type Entry struct {
	ID        int64
	Kind      string
	To        string
	Lang      string
	Subject   string
	Text      string
	State     string // pending, sent or failed
	Attempts  int
	LastError string
	CreatedAt time.Time
	NextAt    time.Time
	SentAt    time.Time // zero until sent
}

// List returns the newest limit rows, newest first, and the number of
// pending ones.
func (o *Outbox) List(ctx context.Context, limit int) ([]Entry, int, error) {
	var pending int
	if err := o.db.QueryRowContext(ctx, `SELECT count(*) FROM mail_outbox WHERE state = 'pending'`).Scan(&pending); err != nil {
		return nil, 0, fmt.Errorf("list mail: %w", err)
	}
	rows, err := o.db.QueryContext(ctx, `SELECT id, kind, recipient, lang, subject, text_body, state, attempts, last_error, created_at, next_at, sent_at
		FROM mail_outbox ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list mail: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var created, next int64
		var sent sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Kind, &e.To, &e.Lang, &e.Subject, &e.Text, &e.State, &e.Attempts, &e.LastError, &created, &next, &sent); err != nil {
			return nil, 0, fmt.Errorf("list mail: %w", err)
		}
		e.CreatedAt, e.NextAt = time.UnixMilli(created), time.UnixMilli(next)
		if sent.Valid {
			e.SentAt = time.UnixMilli(sent.Int64)
		}
		out = append(out, e)
	}
	return out, pending, rows.Err()
}

// Run delivers due messages, oldest first, until ctx ends. Without SMTP
// it only waits: messages stay in the outbox.
func (o *Outbox) Run(ctx context.Context) error {
	if !o.Configured() {
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		row, wait, err := o.due(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				o.log.ErrorContext(ctx, "mail outbox", "err", err)
			}
			o.sleep(ctx, time.Second)
		case row == nil:
			o.sleep(ctx, wait)
		default:
			o.attempt(ctx, row)
		}
	}
	return nil
}

type dueRow struct {
	id        int64
	to        string
	raw       []byte
	attempts  int
	createdAt time.Time
}

// due returns the oldest message due now, or nil and how long to wait.
func (o *Outbox) due(ctx context.Context) (*dueRow, time.Duration, error) {
	now := o.cfg.Now().UnixMilli()
	var r dueRow
	var created, next int64
	err := o.db.QueryRowContext(ctx, `SELECT id, recipient, raw, attempts, created_at, next_at FROM mail_outbox
		WHERE state = 'pending' ORDER BY next_at, id LIMIT 1`).Scan(&r.id, &r.to, &r.raw, &r.attempts, &created, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, o.cfg.Poll, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("next mail: %w", err)
	}
	if next > now {
		return nil, min(o.cfg.Poll, time.Duration(next-now)*time.Millisecond), nil
	}
	r.createdAt = time.UnixMilli(created)
	return &r, 0, nil
}

// attempt sends row once and records the outcome, even while stopping.
func (o *Outbox) attempt(ctx context.Context, row *dueRow) {
	err := o.cfg.SMTP.send(ctx, o.envelopeFrom, row.to, row.raw)
	if err != nil && ctx.Err() != nil {
		return // stopping: retried after the next start
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := o.cfg.Now()
	n := row.attempts + 1
	var q string
	var args []any
	switch {
	case err == nil:
		q, args = `UPDATE mail_outbox SET state = 'sent', attempts = ?, sent_at = ?, last_error = '' WHERE id = ?`, []any{n, now.UnixMilli(), row.id}
	case errors.As(err, new(permanentError)) || now.Sub(row.createdAt) >= o.cfg.MaxAge:
		o.log.WarnContext(ctx, "mail failed for good", "id", row.id, "attempts", n, "err", err)
		q, args = `UPDATE mail_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?`, []any{n, err.Error(), row.id}
	default:
		o.log.InfoContext(ctx, "mail not sent, will retry", "id", row.id, "attempts", n, "err", err)
		next := now.Add(o.backoff(n))
		q, args = `UPDATE mail_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?`, []any{n, next.UnixMilli(), err.Error(), row.id}
	}
	if _, err := o.db.ExecContext(rctx, q, args...); err != nil {
		o.log.ErrorContext(ctx, "record mail attempt", "id", row.id, "err", err)
		o.sleep(ctx, time.Second)
	}
	if err == nil {
		o.prune(rctx, now)
	}
}

// prune drops sent messages older than 30 days.
func (o *Outbox) prune(ctx context.Context, now time.Time) {
	if _, err := o.db.ExecContext(ctx, `DELETE FROM mail_outbox WHERE state = 'sent' AND sent_at < ?`,
		now.Add(-30*24*time.Hour).UnixMilli()); err != nil {
		o.log.ErrorContext(ctx, "prune mail outbox", "err", err)
	}
}

// backoff is the delay before retry n (n ≥ 1): a random time between half
// and all of min(MaxBackoff, MinBackoff·2^(n-1)).
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.MaxBackoff
	if n < 40 {
		d = min(o.cfg.MaxBackoff, o.cfg.MinBackoff<<(n-1))
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d, ctx, or an Enqueue.
func (o *Outbox) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-o.wake:
	}
}
