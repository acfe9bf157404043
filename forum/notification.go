package forum

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// NotificationKind says why a user is notified.
type NotificationKind string

const (
	NotifyMention  NotificationKind = "mention"  // someone @mentioned the user
	NotifyReply    NotificationKind = "reply"    // a reply in a watched topic
	NotifyAccepted NotificationKind = "accepted" // the user's reply was accepted
)

// Notification is an in-app notification.
type Notification struct {
	ID         int64
	Kind       NotificationKind
	TopicID    int64
	TopicTitle string
	PostID     int64
	PostNumber int
	ActorID    int64
	ActorName  string
	CreatedAt  time.Time
	ReadAt     time.Time // zero: unread
}

// Unread reports whether the notification has not been read.
func (n *Notification) Unread() bool { return n.ReadAt.IsZero() }

func notify(ctx context.Context, tx *txn, userID int64, kind NotificationKind, topicID, postID, actorID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_notifications (user_id, kind, topic_id, post_id, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		userID, string(kind), topicID, nullID(postID), nullID(actorID), ms(tx.now)); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// notifyWatchers notifies everyone watching t of a new reply, except its
// author and users already notified of a mention in it.
func notifyWatchers(ctx context.Context, tx *txn, t *Topic, postID int64, author *User, skip map[int64]bool) error {
	ids, err := queryIDs(ctx, tx, `SELECT user_id FROM forum_watches WHERE topic_id = ? AND user_id <> ?`, t.ID, author.ID)
	if err != nil {
		return fmt.Errorf("notify watchers: %w", err)
	}
	for _, id := range ids {
		if skip[id] {
			continue
		}
		if err := notify(ctx, tx, id, NotifyReply, t.ID, postID, author.ID); err != nil {
			return err
		}
	}
	return nil
}

// notifyMentions notifies the users @mentioned in html (outside code),
// except the author and, when oldHTML is given, users already mentioned
// there. Notified user IDs are added to notified when it is not nil.
func (s *Store) notifyMentions(ctx context.Context, tx *txn, t *Topic, postID int64, author *User, html string, notified map[int64]bool, oldHTML ...string) error {
	users, err := resolveMentions(ctx, tx, mentionCandidates(s.plainText(html, false)))
	if err != nil {
		return err
	}
	old := map[int64]bool{}
	if len(oldHTML) > 0 {
		prev, err := resolveMentions(ctx, tx, mentionCandidates(s.plainText(oldHTML[0], false)))
		if err != nil {
			return err
		}
		for _, id := range prev {
			old[id] = true
		}
	}
	for _, id := range users {
		if id == author.ID || old[id] {
			continue
		}
		if err := notify(ctx, tx, id, NotifyMention, t.ID, postID, author.ID); err != nil {
			return err
		}
		if notified != nil {
			notified[id] = true
		}
	}
	return nil
}

func watch(ctx context.Context, tx *txn, topicID, userID int64, on bool) error {
	var err error
	if on {
		_, err = tx.ExecContext(ctx, `INSERT INTO forum_watches (topic_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, topicID, userID, ms(tx.now))
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM forum_watches WHERE topic_id = ? AND user_id = ?`, topicID, userID)
	}
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	return nil
}

// Watch starts (on) or stops watching a topic: watchers are notified of
// every reply. Asking or replying starts watching automatically.
func (s *Store) Watch(ctx context.Context, topicID int64, on bool) error {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := s.visibleTopic(ctx, tx, topicID, u); err != nil {
		return err
	}
	if err := s.check(u, ActionWatch, Resource{}, tx.now); err != nil {
		return err
	}
	if err := watch(ctx, tx, topicID, u.ID, on); err != nil {
		return err
	}
	return s.commit(ctx, tx)
}

// Notifications returns the signed-in user's newest notifications (at
// most limit, default 50) and their unread count.
func (s *Store) Notifications(ctx context.Context, limit int) ([]*Notification, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	u, err := s.actor(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	unread, err := unreadCount(ctx, tx, u.ID)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT n.id, n.kind, n.topic_id, t.title, coalesce(n.post_id, 0), coalesce(p.number, 0),
			coalesce(n.actor_id, 0), coalesce(a.name, ''), n.created_at, n.read_at
		FROM forum_notifications n JOIN forum_topics t ON t.id = n.topic_id
		LEFT JOIN forum_posts p ON p.id = n.post_id LEFT JOIN forum_users a ON a.id = n.actor_id
		WHERE n.user_id = ? ORDER BY n.id DESC LIMIT ?`, u.ID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	var out []*Notification
	for rows.Next() {
		var n Notification
		var kind string
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &kind, &n.TopicID, &n.TopicTitle, &n.PostID, &n.PostNumber, &n.ActorID, &n.ActorName, &created, &read); err != nil {
			return nil, 0, fmt.Errorf("notifications: %w", err)
		}
		n.Kind, n.CreatedAt, n.ReadAt = NotificationKind(kind), fromMS(created), nullMS(read)
		out = append(out, &n)
	}
	return out, unread, rows.Err()
}

func unreadCount(ctx context.Context, tx *txn, userID int64) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread count: %w", err)
	}
	return n, nil
}

// UnreadCount returns the signed-in user's number of unread notifications
// (0 for anonymous visitors).
func (s *Store) UnreadCount(ctx context.Context) (int, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return 0, nil
	}
	tx, err := s.read(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return unreadCount(ctx, tx, u.ID)
}

// MarkRead marks the given notifications of the signed-in user as read,
// or all of them when ids is empty. Others' notifications are untouched.
func (s *Store) MarkRead(ctx context.Context, ids ...int64) error {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := `UPDATE forum_notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`
	args := []any{ms(tx.now), u.ID}
	if len(ids) > 0 {
		if len(ids) > 500 {
			return invalid("ids", "forum.error.too_many_ids", nil)
		}
		q += ` AND id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return s.commit(ctx, tx)
}
