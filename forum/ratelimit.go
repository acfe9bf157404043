package forum

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkPostRate enforces the posting limits (see Limits) for a new topic
// (topic true) or reply by u, whose sanitized HTML is html. The team
// (staff, moderators, admins) is exempt, as on Discourse. The limits are
// computed from the database, so they hold across restarts and servers.
func (s *Store) checkPostRate(ctx context.Context, tx *txn, u *User, topic bool, html string) error {
	if err := checkImages(html); err != nil {
		return err
	}
	if u.Role.Team() {
		return nil
	}
	lim := s.cfg.Limits
	now := tx.now
	if err := s.checkLinks(u, html, now); err != nil {
		return err
	}
	interval, q, msg := lim.ReplyInterval, `SELECT max(created_at), count(*) FROM forum_posts WHERE author_id = ? AND number > 1 AND created_at >= ?`, "forum.error.reply_too_soon"
	if topic {
		interval, q, msg = lim.TopicInterval, `SELECT max(created_at), count(*) FROM forum_topics WHERE author_id = ? AND created_at >= ?`, "forum.error.topic_too_soon"
	}
	since := u.CreatedAt
	if since.Before(now.Add(-lim.NewUserAge)) {
		since = now.Add(-interval)
	}
	var last sql.NullInt64
	var count int
	if err := tx.QueryRowContext(ctx, q, u.ID, ms(since)).Scan(&last, &count); err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if last.Valid {
		if wait := fromMS(last.Int64).Add(interval).Sub(now); wait > 0 {
			return rateLimited(msg, wait, false, nil)
		}
	}
	if s.isNewUser(u, now) {
		max, msg := lim.NewUserRepliesPerDay, "forum.error.new_user_reply_cap"
		if topic {
			max, msg = lim.NewUserTopicsPerDay, "forum.error.new_user_topic_cap"
		}
		if count >= max {
			return rateLimited(msg, u.CreatedAt.Add(lim.NewUserAge).Sub(now), true, map[string]any{"Max": max})
		}
	}
	return nil
}

func (s *Store) isNewUser(u *User, now time.Time) bool {
	return !u.Role.Team() && now.Sub(u.CreatedAt) < s.cfg.Limits.NewUserAge
}

// checkImages refuses images from other sites, in anyone's post or edit.
func checkImages(html string) error {
	if externalImage.MatchString(html) {
		return invalid("body", "forum.error.external_image", nil)
	}
	return nil
}

// checkLinks limits links and images in posts by new accounts.
func (s *Store) checkLinks(u *User, html string, now time.Time) error {
	if !s.isNewUser(u, now) {
		return nil
	}
	if max := s.cfg.Limits.NewUserMaxLinks; countLinks(html) > max {
		return invalid("body", "forum.error.new_user_too_many_links", map[string]any{"Max": max, "Count": max})
	}
	return nil
}
