// Package notify emails the forum's notifications: a mention, or a reply
// in a watched topic, becomes a letter in the recipient's language with a
// link to the post and an unsubscribe link. It reads the forum's
// notifications table (durable), queues letters in the mail outbox
// (durable) and then marks them, so a crash in between sends a letter
// twice rather than never.
//
// A recipient may choose a daily digest instead (Mailer.SetDigest): their
// notifications are then kept in the digest table and sent as one letter
// once DigestPeriod has passed since the last digest.
package notify

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/mail"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// DigestPeriod is how often a digest letter goes out at most.
const DigestPeriod = 24 * time.Hour

// Config configures a Mailer.
type Config struct {
	DB    *sql.DB // the digest preferences and entries
	Forum *forum.Store
	Mail  interface {
		Send(ctx context.Context, l mail.Letter) (int64, error)
	}
	// BaseURL returns the portal's public base URL, e.g.
	// "https://dev.example.com"; links are the portal's own routes under it.
	BaseURL  func() string
	Interval time.Duration // how often to look for new notifications; default 5 s
	Logger   *slog.Logger
	Now      func() time.Time
}

// Mailer turns notifications into email.
type Mailer struct{ cfg Config }

// Open migrates the digest tables and returns a Mailer; Run starts it.
func Open(ctx context.Context, cfg Config) (*Mailer, error) {
	if cfg.DB == nil || cfg.Forum == nil {
		return nil, fmt.Errorf("notify: DB and Forum are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "notify", sub); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	return &Mailer{cfg: cfg}, nil
}

// Run mails pending notifications every Interval until ctx ends.
func (m *Mailer) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		if err := m.Once(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Logger.ErrorContext(ctx, "notification mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once mails every pending notification now, or keeps it for its
// recipient's digest, and sends the digests that are due.
func (m *Mailer) Once(ctx context.Context) error {
	for {
		ns, err := m.cfg.Forum.PendingMailNotifications(ctx, 100)
		if err != nil {
			return err
		}
		if len(ns) == 0 {
			return m.sendDigests(ctx)
		}
		var done []int64
		for _, n := range ns {
			if err := m.send(ctx, n); err != nil {
				m.cfg.Forum.MarkMailed(ctx, done...)
				return err
			}
			done = append(done, n.ID)
		}
		if err := m.cfg.Forum.MarkMailed(ctx, done...); err != nil {
			return err
		}
	}
}

func (m *Mailer) send(ctx context.Context, n forum.MailNotification) error {
	var kind string
	switch n.Kind {
	case forum.NotifyMention:
		kind = mail.KindForumMention
	case forum.NotifyReply:
		kind = mail.KindForumReply
	default:
		return nil // accepted answers stay on the portal
	}
	if !n.WantsEmail {
		return nil
	}
	digest, err := m.digest(ctx, n.UserID)
	if err != nil {
		return err
	}
	if digest {
		return m.keep(ctx, n, kind)
	}
	tok, err := m.cfg.Forum.MailToken(ctx, n.UserID)
	if err != nil {
		return err
	}
	lang := "en"
	if n.Lang == "zh" {
		lang = "zh"
	}
	base := strings.TrimRight(m.cfg.BaseURL(), "/")
	_, err = m.cfg.Mail.Send(ctx, mail.Letter{Kind: kind, To: n.Email, Lang: lang, Name: n.Name,
		Data:        map[string]any{"Author": n.ActorName, "Topic": n.TopicTitle},
		Link:        base + "/" + lang + "/forum/p/" + strconv.FormatInt(n.PostID, 10),
		Unsubscribe: base + "/" + lang + "/unsubscribe/" + tok})
	return err
}
