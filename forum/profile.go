package forum

import (
	"context"
	"fmt"
	"time"
)

// Profile is what a user's public profile page shows.
type Profile struct {
	User          *User
	TopicCount    int      // visible topics asked
	AnswerCount   int      // visible replies written
	SolutionCount int      // replies accepted as the answer
	Topics        []*Topic // newest first
	Answers       []*Answer
}

// Answer is a reply listed on its author's profile.
type Answer struct {
	PostID     int64
	PostNumber int
	TopicID    int64
	TopicTitle string
	Accepted   bool
	Score      int
	CreatedAt  time.Time
}

// Profile returns a user's public profile with their latest topics and
// answers (at most limit each, default 10). E-mail addresses are not
// public: the returned User has Email cleared unless the viewer is the
// user or an admin.
func (s *Store) Profile(ctx context.Context, userID int64, limit int) (*Profile, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if !Can(UserFromContext(ctx), ActionViewEmail, Resource{OwnerID: u.ID}, tx.now) {
		u.Email = ""
	}
	p := &Profile{User: u}
	const visiblePosts = `FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id
		WHERE p.author_id = ? AND p.number > 1 AND p.deleted_at IS NULL AND p.hidden = 0 AND t.deleted_at IS NULL AND t.hidden = 0`
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(t.accepted_post_id = p.id), 0) `+visiblePosts, userID).
		Scan(&p.AnswerCount, &p.SolutionCount); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_topics WHERE author_id = ? AND deleted_at IS NULL AND hidden = 0`, userID).
		Scan(&p.TopicCount); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.number, t.id, t.title, t.accepted_post_id IS p.id, p.score, p.created_at `+
		visiblePosts+` ORDER BY p.created_at DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("profile answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Answer
		var at int64
		if err := rows.Scan(&a.PostID, &a.PostNumber, &a.TopicID, &a.TopicTitle, &a.Accepted, &a.Score, &at); err != nil {
			return nil, fmt.Errorf("profile answers: %w", err)
		}
		a.CreatedAt = fromMS(at)
		p.Answers = append(p.Answers, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("profile answers: %w", err)
	}
	tx.Rollback()
	l, err := s.ListTopics(ctx, TopicFilter{AuthorID: userID, PerPage: limit})
	if err != nil {
		return nil, err
	}
	p.Topics = l.Topics
	return p, nil
}
