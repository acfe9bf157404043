package forum

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FlagReason is why a user flags a post.
type FlagReason string

const (
	FlagSpam          FlagReason = "spam"
	FlagInappropriate FlagReason = "inappropriate"
	FlagOffTopic      FlagReason = "off_topic"
	FlagOther         FlagReason = "other" // Note says why
)

// Valid reports whether r is a flag reason.
func (r FlagReason) Valid() bool {
	return r == FlagSpam || r == FlagInappropriate || r == FlagOffTopic || r == FlagOther
}

// FlagNoteMaxLen bounds a flag's note, in characters.
const FlagNoteMaxLen = 500

// Flag is one user's report about a post.
type Flag struct {
	ID        int64
	PostID    int64
	UserID    int64
	UserName  string
	Reason    FlagReason
	Note      string
	CreatedAt time.Time
}

// FlaggedPost is an entry of the moderator queue: a post with open flags.
type FlaggedPost struct {
	Post       *Post
	TopicTitle string
	Flags      []Flag
}

// Verdict resolves a post's open flags.
type Verdict string

const (
	VerdictRemove Verdict = "removed" // the flags are upheld: the post is deleted
	VerdictKeep   Verdict = "kept"    // the flags are dismissed: the post is shown again
)

// FlagPost reports a post. A user has at most one open flag per post
// (ErrConflict otherwise) and cannot flag their own posts. When
// Config.FlagThreshold distinct users have open flags on a post, it is
// hidden pending review; a hidden question hides its topic.
func (s *Store) FlagPost(ctx context.Context, postID int64, reason FlagReason, note string) error {
	if !reason.Valid() {
		return invalid("reason", "forum.error.flag_reason_invalid", nil)
	}
	note = strings.TrimSpace(note)
	if reason == FlagOther && note == "" {
		return invalid("note", "forum.error.flag_note_required", nil)
	}
	if utf8.RuneCountInString(note) > FlagNoteMaxLen {
		return invalid("note", "forum.error.flag_note_too_long", map[string]any{"Max": FlagNoteMaxLen, "Count": FlagNoteMaxLen})
	}
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, t, err := s.visiblePost(ctx, tx, postID, u)
	if err != nil {
		return err
	}
	if p.Deleted() {
		return notFound("forum.error.post_not_found")
	}
	if err := s.check(u, ActionFlag, Resource{OwnerID: p.AuthorID}, tx.now); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_flags WHERE post_id = ? AND user_id = ? AND resolved_at IS NULL`, postID, u.ID).Scan(&n); err != nil {
		return fmt.Errorf("flag: %w", err)
	}
	if n > 0 {
		return conflict("forum.error.already_flagged")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_flags (post_id, user_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?)`,
		postID, u.ID, string(reason), note, ms(tx.now)); err != nil {
		return fmt.Errorf("flag: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT user_id) FROM forum_flags WHERE post_id = ? AND resolved_at IS NULL`, postID).Scan(&n); err != nil {
		return fmt.Errorf("flag: %w", err)
	}
	if n >= s.cfg.FlagThreshold && !p.Hidden {
		if err := s.setHidden(ctx, tx, p, t, u, true); err != nil {
			return err
		}
	}
	return s.commit(ctx, tx)
}

// setHidden hides or shows a post (and, for a question, its topic), keeps
// the counts and the search index right and records the event.
func (s *Store) setHidden(ctx context.Context, tx *txn, p *Post, t *Topic, u *User, hidden bool) error {
	var hiddenAt any
	if hidden {
		hiddenAt = ms(tx.now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET hidden = ?, hidden_at = ? WHERE id = ?`, boolInt(hidden), hiddenAt, p.ID); err != nil {
		return fmt.Errorf("hide post: %w", err)
	}
	if p.Number == 1 {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET hidden = ? WHERE id = ?`, boolInt(hidden), t.ID); err != nil {
			return fmt.Errorf("hide topic: %w", err)
		}
	}
	if err := refreshReplyCount(ctx, tx, t.ID); err != nil {
		return err
	}
	kind := EventPostRestored
	if hidden {
		kind = EventPostHidden
	}
	if err := addEvent(ctx, tx, actorEvent(t, kind, u, p.ID, nil)); err != nil {
		return err
	}
	return s.reindexTopic(ctx, tx, t.ID)
}

// FlagQueue returns the posts with open flags, most flagged first, for
// moderators and admins.
func (s *Store) FlagQueue(ctx context.Context, limit int) ([]*FlaggedPost, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := s.actor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := s.check(u, ActionReviewFlags, Resource{}, tx.now); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT f.id, f.post_id, f.user_id, u.name, f.reason, f.note, f.created_at
		FROM forum_flags f JOIN forum_users u ON u.id = f.user_id
		WHERE f.resolved_at IS NULL AND f.post_id IN (
			SELECT post_id FROM forum_flags WHERE resolved_at IS NULL GROUP BY post_id
			ORDER BY count(*) DESC, min(created_at) LIMIT ?)
		ORDER BY f.post_id, f.id`, limit)
	if err != nil {
		return nil, fmt.Errorf("flag queue: %w", err)
	}
	byPost := map[int64]*FlaggedPost{}
	var order []int64
	for rows.Next() {
		var f Flag
		var reason string
		var at int64
		if err := rows.Scan(&f.ID, &f.PostID, &f.UserID, &f.UserName, &reason, &f.Note, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("flag queue: %w", err)
		}
		f.Reason, f.CreatedAt = FlagReason(reason), fromMS(at)
		fp := byPost[f.PostID]
		if fp == nil {
			fp = &FlaggedPost{}
			byPost[f.PostID] = fp
			order = append(order, f.PostID)
		}
		fp.Flags = append(fp.Flags, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("flag queue: %w", err)
	}
	var out []*FlaggedPost
	for _, id := range order {
		fp := byPost[id]
		if fp.Post, err = findPostByID(ctx, tx, id); err != nil {
			return nil, err
		}
		if err := tx.QueryRowContext(ctx, `SELECT title FROM forum_topics WHERE id = ?`, fp.Post.TopicID).Scan(&fp.TopicTitle); err != nil {
			return nil, fmt.Errorf("flag queue: %w", err)
		}
		out = append(out, fp)
	}
	// Most flagged first, oldest first among equals.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].Flags) > len(out[j-1].Flags); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// ReviewFlags resolves every open flag on a post (moderators and admins):
// VerdictRemove deletes the post, VerdictKeep shows it again.
func (s *Store) ReviewFlags(ctx context.Context, postID int64, v Verdict) error {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.check(u, ActionReviewFlags, Resource{}, tx.now); err != nil {
		return err
	}
	if v != VerdictRemove && v != VerdictKeep {
		return invalid("verdict", "forum.error.verdict_invalid", nil)
	}
	p, err := findPostByID(ctx, tx, postID)
	if err != nil {
		return err
	}
	t, err := findTopic(ctx, tx, p.TopicID)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE forum_flags SET resolved_at = ?, resolved_by = ?, verdict = ? WHERE post_id = ? AND resolved_at IS NULL`,
		ms(tx.now), u.ID, string(v), postID)
	if err != nil {
		return fmt.Errorf("review flags: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("forum.error.no_open_flags")
	}
	switch {
	case v == VerdictRemove && !p.Deleted():
		if err := deletePost(ctx, tx, p, t, u); err != nil {
			return err
		}
		if err := s.reindexTopic(ctx, tx, t.ID); err != nil {
			return err
		}
	case v == VerdictKeep && p.Hidden:
		if err := s.setHidden(ctx, tx, p, t, u, false); err != nil {
			return err
		}
	}
	return s.commit(ctx, tx)
}
