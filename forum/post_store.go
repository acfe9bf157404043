package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const postCols = `p.id, p.topic_id, p.number, p.author_id, p.author_role, p.source, p.html, p.score, p.revision, p.hidden,
	p.created_at, p.edited_at, p.deleted_at, u.name, u.username`

// postPageCols leaves the Markdown source out: topic pages only need HTML.
const postPageCols = `p.id, p.topic_id, p.number, p.author_id, p.author_role, '', p.html, p.score, p.revision, p.hidden,
	p.created_at, p.edited_at, p.deleted_at, u.name, u.username`

func scanPost(row scanner) (*Post, error) {
	var p Post
	var role string
	var created int64
	var edited, deleted sql.NullInt64
	if err := row.Scan(&p.ID, &p.TopicID, &p.Number, &p.AuthorID, &role, &p.Source, &p.HTML, &p.Score, &p.Revision, &p.Hidden,
		&created, &edited, &deleted, &p.AuthorName, &p.AuthorUsername); err != nil {
		return nil, err
	}
	p.AuthorRole = Role(role)
	p.CreatedAt, p.EditedAt, p.DeletedAt = fromMS(created), nullMS(edited), nullMS(deleted)
	return &p, nil
}

func findPost(ctx context.Context, tx *txn, topicID int64, number int) (*Post, error) {
	p, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postCols+` FROM forum_posts p JOIN forum_users u ON u.id = p.author_id
		WHERE p.topic_id = ? AND p.number = ?`, topicID, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.post_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find post: %w", err)
	}
	return p, nil
}

func findPostByID(ctx context.Context, tx *txn, id int64) (*Post, error) {
	p, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postCols+` FROM forum_posts p JOIN forum_users u ON u.id = p.author_id
		WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.post_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find post: %w", err)
	}
	return p, nil
}

// redact empties a deleted or hidden post's content unless viewer may see
// it (moderators; authors see their own hidden, not deleted, posts).
func redact(p *Post, viewer *User, mod bool) {
	if mod {
		return
	}
	own := viewer != nil && viewer.ID == p.AuthorID
	if p.Deleted() || p.Hidden && !own {
		p.Source, p.HTML, p.Redacted = "", "", true
	}
}

// visiblePost loads a post and its topic as the viewer may see them.
func (s *Store) visiblePost(ctx context.Context, tx *txn, postID int64, viewer *User) (*Post, *Topic, error) {
	p, err := findPostByID(ctx, tx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.visibleTopic(ctx, tx, p.TopicID, viewer)
	if err != nil {
		return nil, nil, err
	}
	redact(p, viewer, Can(viewer, ActionViewHidden, Resource{}, tx.now))
	return p, t, nil
}

// Post returns one post, with its Markdown source (for the edit form).
func (s *Store) Post(ctx context.Context, postID int64) (*Post, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, t, err := s.visiblePost(ctx, tx, postID, UserFromContext(ctx))
	if err != nil {
		return nil, err
	}
	p.Accepted = t.AcceptedPostID == p.ID
	return p, nil
}

// QuestionHTML returns the rendered question (post 1) of each of the
// topics, by topic ID, for feeds. Only what anyone may read is returned:
// a deleted or hidden topic or question is left out.
func (s *Store) QuestionHTML(ctx context.Context, topicIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(topicIDs))
	if len(topicIDs) == 0 {
		return out, nil
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	args := make([]any, len(topicIDs))
	for i, id := range topicIDs {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.topic_id, p.html FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id
		WHERE p.number = 1 AND p.deleted_at IS NULL AND p.hidden = 0 AND t.deleted_at IS NULL AND t.hidden = 0
		AND p.topic_id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("question html: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("question html: %w", err)
		}
		out[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("question html: %w", err)
	}
	return out, nil
}

// Reply adds a reply to a topic. It checks lock and close state, the
// posting rate limits and content limits; notifies watchers and mentioned
// users; and, when the asker replies to a topic waiting for them, resumes
// the SLA clock.
func (s *Store) Reply(ctx context.Context, topicID int64, body string) (*Post, error) {
	body, html, err := s.renderBody(body)
	if err != nil {
		return nil, err
	}
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := s.visibleTopic(ctx, tx, topicID, u)
	if err != nil {
		return nil, err
	}
	if t.Deleted() {
		return nil, notFound("forum.error.topic_not_found")
	}
	if err := s.check(u, ActionReply, t.Resource(), tx.now); err != nil {
		return nil, err
	}
	if err := s.checkPostRate(ctx, tx, u, false, html); err != nil {
		return nil, err
	}
	var number int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM forum_posts WHERE topic_id = ?`, topicID).Scan(&number); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	postID, err := s.insertPost(ctx, tx, topicID, number, u, body, html, "")
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET bumped_at = ?, last_post_id = ? WHERE id = ?`, ms(tx.now), postID, topicID); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	if err := refreshReplyCount(ctx, tx, topicID); err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, actorEvent(t, EventReplied, u, postID, nil)); err != nil {
		return nil, err
	}
	if t.WaitingOnAsker && u.ID == t.AuthorID {
		if err := setWaiting(ctx, tx, t, u, false, "asker_reply"); err != nil {
			return nil, err
		}
	}
	mentioned := map[int64]bool{}
	if err := s.notifyMentions(ctx, tx, t, postID, u, html, mentioned); err != nil {
		return nil, err
	}
	if err := notifyWatchers(ctx, tx, t, postID, u, mentioned); err != nil {
		return nil, err
	}
	if err := watch(ctx, tx, topicID, u.ID, true); err != nil {
		return nil, err
	}
	if err := s.reindexTopic(ctx, tx, topicID); err != nil {
		return nil, err
	}
	p, err := findPostByID(ctx, tx, postID)
	if err != nil {
		return nil, err
	}
	return p, s.commit(ctx, tx)
}

func refreshReplyCount(ctx context.Context, tx *txn, topicID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE forum_topics SET reply_count = (SELECT count(*) FROM forum_posts
		WHERE topic_id = ? AND number > 1 AND deleted_at IS NULL AND hidden = 0) WHERE id = ?`, topicID, topicID)
	if err != nil {
		return fmt.Errorf("reply count: %w", err)
	}
	return nil
}

// EditPost replaces a post's Markdown, keeping the old version in the
// revision history. Authors edit their own posts, moderators any post.
// Newly mentioned users are notified.
func (s *Store) EditPost(ctx context.Context, postID int64, body string) (*Post, error) {
	body, html, err := s.renderBody(body)
	if err != nil {
		return nil, err
	}
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, t, err := s.visiblePost(ctx, tx, postID, u)
	if err != nil {
		return nil, err
	}
	if p.Deleted() {
		return nil, notFound("forum.error.post_not_found")
	}
	if err := s.check(u, ActionEditPost, Resource{OwnerID: p.AuthorID, Locked: t.Locked}, tx.now); err != nil {
		return nil, err
	}
	if body == p.Source {
		return p, nil
	}
	if err := checkImages(html); err != nil {
		return nil, err
	}
	if u.ID == p.AuthorID {
		// Edits are not posts, but a new user must not slip links past the
		// limit by editing them in.
		if err := s.checkLinks(u, html, tx.now); err != nil {
			return nil, err
		}
	}
	oldHTML := p.HTML
	title := ""
	if p.Number == 1 {
		title = t.Title
	}
	if err := s.addRevision(ctx, tx, p, u, title, body, html); err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, actorEvent(t, EventEdited, u, p.ID, nil)); err != nil {
		return nil, err
	}
	if err := s.notifyMentions(ctx, tx, t, p.ID, u, html, nil, oldHTML); err != nil {
		return nil, err
	}
	if err := s.reindexTopic(ctx, tx, t.ID); err != nil {
		return nil, err
	}
	if p, err = findPostByID(ctx, tx, postID); err != nil {
		return nil, err
	}
	return p, s.commit(ctx, tx)
}

// addRevision stores a new version of p (content and, for questions, the
// title) and makes it current.
func (s *Store) addRevision(ctx context.Context, tx *txn, p *Post, u *User, title, src, html string) error {
	rev := p.Revision + 1
	now := ms(tx.now)
	html, err := linkMentions(ctx, tx, html)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_revisions (post_id, revision, title, source, editor_id, editor_role, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.ID, rev, title, src, u.ID, string(u.Role), now); err != nil {
		return fmt.Errorf("add revision: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET source = ?, html = ?, text = ?, revision = ?, edited_at = ? WHERE id = ?`,
		src, html, s.plainText(html, true), rev, now, p.ID); err != nil {
		return fmt.Errorf("add revision: %w", err)
	}
	p.Revision = rev
	return nil
}

// Revisions returns a post's versions, oldest first, with rendered HTML.
// Anyone who can see the post can see its history.
func (s *Store) Revisions(ctx context.Context, postID int64) ([]Revision, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, _, err := s.visiblePost(ctx, tx, postID, UserFromContext(ctx))
	if err != nil {
		return nil, err
	}
	if p.Redacted {
		return nil, notFound("forum.error.post_not_found")
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.post_id, r.revision, r.title, r.source, r.editor_id, u.name, r.editor_role, r.at
		FROM forum_revisions r JOIN forum_users u ON u.id = r.editor_id WHERE r.post_id = ? ORDER BY r.revision`, postID)
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var role string
		var at int64
		if err := rows.Scan(&r.PostID, &r.Revision, &r.Title, &r.Source, &r.EditorID, &r.EditorName, &role, &at); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		r.EditorRole, r.At = Role(role), fromMS(at)
		if r.HTML, err = s.render(r.Source); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeletePost soft-deletes a post (its author or a moderator). Deleting the
// question deletes the topic. A deleted accepted answer is unaccepted.
func (s *Store) DeletePost(ctx context.Context, postID int64) error {
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, t, err := s.visiblePost(ctx, tx, postID, u)
	if err != nil {
		return err
	}
	if err := s.check(u, ActionDeletePost, Resource{OwnerID: p.AuthorID}, tx.now); err != nil {
		return err
	}
	if p.Deleted() {
		return nil
	}
	if err := deletePost(ctx, tx, p, t, u); err != nil {
		return err
	}
	if err := s.reindexTopic(ctx, tx, t.ID); err != nil {
		return err
	}
	return s.commit(ctx, tx)
}

func deletePost(ctx context.Context, tx *txn, p *Post, t *Topic, u *User) error {
	now := ms(tx.now)
	if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET deleted_at = ?, deleted_by = ? WHERE id = ?`, now, u.ID, p.ID); err != nil {
		return fmt.Errorf("delete post: %w", err)
	}
	if p.Number == 1 {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET deleted_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return fmt.Errorf("delete topic: %w", err)
		}
		return addEvent(ctx, tx, actorEvent(t, EventTopicDeleted, u, p.ID, nil))
	}
	if err := refreshReplyCount(ctx, tx, t.ID); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, actorEvent(t, EventPostDeleted, u, p.ID, nil)); err != nil {
		return err
	}
	if t.AcceptedPostID == p.ID {
		return setAccepted(ctx, tx, t, u, 0)
	}
	return nil
}
