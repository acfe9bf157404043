package forum

import (
	"context"
	"fmt"
	"strings"
)

// MailNotification is a mention or watched-topic reply still to be
// considered for email, with what the email needs about its recipient.
type MailNotification struct {
	Notification
	UserID     int64
	Email      string
	Name       string
	Lang       string
	WantsEmail bool // the recipient has notification emails on
}

// PendingMailNotifications returns up to limit mention and reply
// notifications not yet considered for email, oldest first. The mailer
// marks each one with MarkMailed once it has queued the email (or decided
// not to send one), so a crash in between sends it again: at least once.
func (s *Store) PendingMailNotifications(ctx context.Context, limit int) ([]MailNotification, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, n.kind, n.topic_id, t.title, coalesce(n.post_id, 0), coalesce(p.number, 0),
			coalesce(n.actor_id, 0), coalesce(a.name, ''), n.created_at, u.id, u.email, u.name, u.lang, u.email_notifications
		FROM forum_notifications n JOIN forum_topics t ON t.id = n.topic_id JOIN forum_users u ON u.id = n.user_id
		LEFT JOIN forum_posts p ON p.id = n.post_id LEFT JOIN forum_users a ON a.id = n.actor_id
		WHERE n.emailed = 0 ORDER BY n.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("mail notifications: %w", err)
	}
	defer rows.Close()
	var out []MailNotification
	for rows.Next() {
		var n MailNotification
		var kind string
		var created int64
		if err := rows.Scan(&n.ID, &kind, &n.TopicID, &n.TopicTitle, &n.PostID, &n.PostNumber, &n.ActorID, &n.ActorName, &created,
			&n.UserID, &n.Email, &n.Name, &n.Lang, &n.WantsEmail); err != nil {
			return nil, fmt.Errorf("mail notifications: %w", err)
		}
		n.Kind, n.CreatedAt = NotificationKind(kind), fromMS(created)
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkMailed records that the notifications were considered for email.
func (s *Store) MarkMailed(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `UPDATE forum_notifications SET emailed = 1 WHERE id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("mark mailed: %w", err)
	}
	return nil
}
