package forum

import (
	"context"
	"fmt"
)

// Vote up-votes a post (up true) or withdraws the viewer's vote (up
// false), and returns the post's new score.
//
// Votes are up-only, one per user and post, as on GitHub Discussions:
// down-votes on a support forum mostly punish newcomers' questions, and
// "not helpful" is better said with a reply or a flag. Anyone signed in
// may vote on others' posts, question or reply; not on their own.
func (s *Store) Vote(ctx context.Context, postID int64, up bool) (int, error) {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	p, t, err := s.visiblePost(ctx, tx, postID, u)
	if err != nil {
		return 0, err
	}
	if p.Deleted() || t.Deleted() {
		return 0, notFound("forum.error.post_not_found")
	}
	if err := s.check(u, ActionVote, Resource{OwnerID: p.AuthorID}, tx.now); err != nil {
		return 0, err
	}
	q := `DELETE FROM forum_votes WHERE post_id = ? AND user_id = ?`
	args := []any{postID, u.ID}
	if up {
		q = `INSERT INTO forum_votes (post_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
		args = append(args, ms(tx.now))
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return 0, fmt.Errorf("vote: %w", err)
	}
	var score int
	if err := tx.QueryRowContext(ctx, `UPDATE forum_posts SET score = (SELECT count(*) FROM forum_votes WHERE post_id = ?) WHERE id = ? RETURNING score`,
		postID, postID).Scan(&score); err != nil {
		return 0, fmt.Errorf("vote: %w", err)
	}
	if p.Number == 1 {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET score = ? WHERE id = ?`, score, t.ID); err != nil {
			return 0, fmt.Errorf("vote: %w", err)
		}
	}
	return score, s.commit(ctx, tx)
}
