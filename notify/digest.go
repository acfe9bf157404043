package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/mail"
)

// Digest reports whether the signed-in user gets a daily digest rather
// than one email per notification.
func (m *Mailer) Digest(ctx context.Context) (bool, error) {
	u := forum.UserFromContext(ctx)
	if u == nil {
		return false, forum.ErrUnauthorized
	}
	return m.digest(ctx, u.ID)
}

func (m *Mailer) digest(ctx context.Context, userID int64) (bool, error) {
	var on bool
	err := m.cfg.DB.QueryRowContext(ctx, `SELECT digest FROM notify_prefs WHERE user_id = ?`, userID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("digest preference: %w", err)
	}
	return on, nil
}

// SetDigest chooses a daily digest (on) or one email per notification for
// the signed-in user. The first digest goes out DigestPeriod after it is
// chosen; turning digests off sends what was kept at the next run.
func (m *Mailer) SetDigest(ctx context.Context, on bool) error {
	u := forum.UserFromContext(ctx)
	if u == nil {
		return forum.ErrUnauthorized
	}
	now := m.cfg.Now().UnixMilli()
	if _, err := m.cfg.DB.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, digest, last_digest_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest,
			last_digest_at = CASE WHEN notify_prefs.digest = excluded.digest THEN notify_prefs.last_digest_at ELSE excluded.last_digest_at END`,
		u.ID, on, now); err != nil {
		return fmt.Errorf("set digest: %w", err)
	}
	return nil
}

// keep stores a notification for its recipient's next digest.
func (m *Mailer) keep(ctx context.Context, n forum.MailNotification, kind string) error {
	if _, err := m.cfg.DB.ExecContext(ctx, `INSERT INTO notify_digest (user_id, kind, topic, actor, post_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n.UserID, kind, n.TopicTitle, n.ActorName, n.PostID, n.CreatedAt.UnixMilli()); err != nil {
		return fmt.Errorf("keep for digest: %w", err)
	}
	return nil
}

// sendDigests sends one letter to each recipient whose digest is due (a
// period since the last one, or digests turned off) and has entries.
func (m *Mailer) sendDigests(ctx context.Context) error {
	now := m.cfg.Now()
	rows, err := m.cfg.DB.QueryContext(ctx, `SELECT DISTINCT d.user_id FROM notify_digest d JOIN notify_prefs p ON p.user_id = d.user_id
		WHERE p.digest = 0 OR p.last_digest_at <= ?`, now.Add(-DigestPeriod).UnixMilli())
	if err != nil {
		return fmt.Errorf("digests: %w", err)
	}
	var users []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("digests: %w", err)
		}
		users = append(users, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("digests: %w", err)
	}
	for _, id := range users {
		if err := m.sendDigest(ctx, id, now.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// sendDigest queues the user's digest letter, then deletes its entries:
// a crash in between sends the digest twice rather than never.
func (m *Mailer) sendDigest(ctx context.Context, userID, now int64) error {
	rows, err := m.cfg.DB.QueryContext(ctx, `SELECT id, kind, topic, actor, post_id FROM notify_digest WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	type entry struct {
		id, post    int64
		kind, topic string
		actor       string
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.kind, &e.topic, &e.actor, &e.post); err != nil {
			rows.Close()
			return fmt.Errorf("digest: %w", err)
		}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(es) == 0 {
		return err
	}
	last := es[len(es)-1].id
	u, err := m.cfg.Forum.FindUser(ctx, userID)
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return fmt.Errorf("digest: %w", err)
	}
	if err == nil && u.EmailNotifications {
		lang := "en"
		if u.Lang == "zh" {
			lang = "zh"
		}
		tok, err := m.cfg.Forum.MailToken(ctx, userID)
		if err != nil {
			return err
		}
		base := strings.TrimRight(m.cfg.BaseURL(), "/")
		l := mail.Letter{Kind: mail.KindForumDigest, To: u.Email, Lang: lang, Name: u.Name, Data: map[string]any{"Count": len(es)},
			Link: base + "/" + lang + "/notifications", Unsubscribe: base + "/" + lang + "/unsubscribe/" + tok}
		for _, e := range es {
			id := "mail.forum_digest.reply"
			if e.kind == mail.KindForumMention {
				id = "mail.forum_digest.mention"
			}
			l.Items = append(l.Items, mail.Item{ID: id, Data: map[string]any{"Author": e.actor, "Topic": e.topic},
				Link: base + "/" + lang + "/forum/p/" + strconv.FormatInt(e.post, 10)})
		}
		if _, err := m.cfg.Mail.Send(ctx, l); err != nil {
			return err
		}
	}
	if _, err := m.cfg.DB.ExecContext(ctx, `DELETE FROM notify_digest WHERE user_id = ? AND id <= ?`, userID, last); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	if _, err := m.cfg.DB.ExecContext(ctx, `UPDATE notify_prefs SET last_digest_at = ? WHERE user_id = ? AND digest = 1`, now, userID); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	return nil
}
