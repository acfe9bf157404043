package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const topicCols = `t.id, t.category_id, t.author_id, t.author_role, t.title, t.lang, t.priority, t.docs_path,
	t.reply_count, t.score, coalesce(t.accepted_post_id, 0), t.solved_at, t.close_reason, t.closed_at,
	coalesce(t.duplicate_of, 0), t.locked, t.pinned, t.waiting_on_asker, coalesce(t.assignee_id, 0), t.hidden,
	t.created_at, t.bumped_at, t.deleted_at, a.name, a.username, coalesce(s.name, ''),
	coalesce((SELECT group_concat(tag, ' ') FROM (SELECT tag FROM forum_topic_tags g WHERE g.topic_id = t.id ORDER BY tag)), ''),
	t.views, c.slug, c.name_en, c.name_zh, coalesce(lu.id, a.id), coalesce(lu.name, a.name), coalesce(lu.username, a.username)`

const qTopicByID = `SELECT ` + topicCols + topicFrom + ` WHERE t.id = ?`

const topicFrom = ` FROM forum_topics t JOIN forum_users a ON a.id = t.author_id LEFT JOIN forum_users s ON s.id = t.assignee_id
	JOIN forum_categories c ON c.id = t.category_id
	LEFT JOIN forum_posts lp ON lp.id = t.last_post_id LEFT JOIN forum_users lu ON lu.id = lp.author_id`

func scanTopic(row scanner) (*Topic, error) {
	var t Topic
	var role, prio, reason, tags string
	var solved, closed, deleted sql.NullInt64
	var created, bumped int64
	if err := row.Scan(&t.ID, &t.CategoryID, &t.AuthorID, &role, &t.Title, &t.Lang, &prio, &t.DocsPath,
		&t.ReplyCount, &t.Score, &t.AcceptedPostID, &solved, &reason, &closed,
		&t.DuplicateOf, &t.Locked, &t.Pinned, &t.WaitingOnAsker, &t.AssigneeID, &t.Hidden,
		&created, &bumped, &deleted, &t.AuthorName, &t.AuthorUsername, &t.AssigneeName, &tags,
		&t.Views, &t.CategorySlug, &t.CategoryNameEN, &t.CategoryNameZH, &t.LastPosterID, &t.LastPosterName, &t.LastPosterUsername); err != nil {
		return nil, err
	}
	t.AuthorRole, t.Priority, t.CloseReason = Role(role), Priority(prio), CloseReason(reason)
	t.SolvedAt, t.ClosedAt, t.DeletedAt = nullMS(solved), nullMS(closed), nullMS(deleted)
	t.CreatedAt, t.BumpedAt = fromMS(created), fromMS(bumped)
	if tags != "" {
		t.Tags = strings.Fields(tags)
	}
	return &t, nil
}

// findTopic returns a topic whatever its state.
func findTopic(ctx context.Context, tx *txn, id int64) (*Topic, error) {
	t, err := scanTopic(tx.QueryRowContext(ctx, qTopicByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.topic_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find topic %d: %w", id, err)
	}
	return t, nil
}

// visibleTopic returns a topic if viewer may see it: deleted topics only
// to moderators, hidden ones to their asker and moderators. Others get
// ErrNotFound, as if it did not exist.
func (s *Store) visibleTopic(ctx context.Context, tx *txn, id int64, viewer *User) (*Topic, error) {
	t, err := findTopic(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	mod := Can(viewer, ActionViewHidden, Resource{}, tx.now)
	if t.Deleted() && !mod || t.Hidden && !mod && (viewer == nil || viewer.ID != t.AuthorID) {
		return nil, notFound("forum.error.topic_not_found")
	}
	return t, nil
}

// CreateTopic asks a question. It checks the category's restriction, the
// posting rate limits and the content limits, renders and sanitizes the
// Markdown, notifies mentioned users and makes the asker watch the topic.
func (s *Store) CreateTopic(ctx context.Context, in NewTopic) (*Topic, error) {
	title, err := validateTitle(in.Title)
	if err != nil {
		return nil, err
	}
	body, err := validateBody(in.Body)
	if err != nil {
		return nil, err
	}
	if !validLang(in.Lang) {
		return nil, invalid("lang", "forum.error.lang_invalid", nil)
	}
	tags, err := normalizeTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	if !in.Priority.Valid() {
		return nil, invalid("priority", "forum.error.priority_invalid", nil)
	}
	docs, err := validateDocsPath(in.DocsPath)
	if err != nil {
		return nil, err
	}
	html, err := s.render(body)
	if err != nil {
		return nil, err
	}

	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cat, err := findCategory(ctx, tx, in.CategoryID)
	if err != nil {
		return nil, invalid("category", "forum.error.category_not_found", nil)
	}
	if err := s.check(u, ActionCreateTopic, Resource{StaffOnly: cat.StaffOnly}, tx.now); err != nil {
		return nil, err
	}
	impact, err := checkPriorityChoice(ctx, tx, u, cat, in.Priority, in.Impact)
	if err != nil {
		return nil, err
	}
	if err := s.checkPostRate(ctx, tx, u, true, html); err != nil {
		return nil, err
	}
	now := ms(tx.now)
	res, err := tx.ExecContext(ctx, `INSERT INTO forum_topics (category_id, author_id, author_role, title, lang, priority, docs_path, created_at, bumped_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, cat.ID, u.ID, string(u.Role), title, in.Lang, string(in.Priority), docs, now, now)
	if err != nil {
		return nil, fmt.Errorf("create topic: %w", err)
	}
	topicID, _ := res.LastInsertId()
	postID, err := s.insertPost(ctx, tx, topicID, 1, u, body, html, title)
	if err != nil {
		return nil, err
	}
	if err := setTags(ctx, tx, topicID, tags); err != nil {
		return nil, err
	}
	t, err := findTopic(ctx, tx, topicID)
	if err != nil {
		return nil, err
	}
	var created map[string]string
	if impact != "" {
		created = map[string]string{"priority": string(in.Priority), "impact": impact}
	}
	if err := addEvent(ctx, tx, actorEvent(t, EventTopicCreated, u, postID, created)); err != nil {
		return nil, err
	}
	if err := watch(ctx, tx, topicID, u.ID, true); err != nil {
		return nil, err
	}
	if err := s.notifyMentions(ctx, tx, t, postID, u, html, nil); err != nil {
		return nil, err
	}
	if err := s.reindexTopic(ctx, tx, topicID); err != nil {
		return nil, err
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, err
	}
	return t, nil
}

// insertPost writes a post and its first revision.
func (s *Store) insertPost(ctx context.Context, tx *txn, topicID int64, number int, u *User, src, html, title string) (int64, error) {
	now := ms(tx.now)
	html, err := linkMentions(ctx, tx, html)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO forum_posts (topic_id, number, author_id, author_role, source, html, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, topicID, number, u.ID, string(u.Role), src, html, s.plainText(html, true), now)
	if err != nil {
		return 0, fmt.Errorf("insert post: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_revisions (post_id, revision, title, source, editor_id, editor_role, at) VALUES (?, 1, ?, ?, ?, ?, ?)`,
		id, title, src, u.ID, string(u.Role), now); err != nil {
		return 0, fmt.Errorf("insert revision: %w", err)
	}
	return id, nil
}

func setTags(ctx context.Context, tx *txn, topicID int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_topic_tags WHERE topic_id = ?`, topicID); err != nil {
		return fmt.Errorf("set tags: %w", err)
	}
	for _, tag := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_topic_tags (topic_id, tag) VALUES (?, ?)`, topicID, tag); err != nil {
			return fmt.Errorf("set tags: %w", err)
		}
	}
	return nil
}

// Topic returns a topic the viewer in ctx may see, or ErrNotFound.
func (s *Store) Topic(ctx context.Context, id int64) (*Topic, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.visibleTopic(ctx, tx, id, UserFromContext(ctx))
}

// EditTopic changes a topic's title, category or tags (the asker or a
// moderator). A title change is recorded as a revision of the question.
func (s *Store) EditTopic(ctx context.Context, id int64, in TopicEdit) (*Topic, error) {
	var title string
	var err error
	if in.Title != nil {
		if title, err = validateTitle(*in.Title); err != nil {
			return nil, err
		}
	}
	var tags []string
	if in.Tags != nil {
		if tags, err = normalizeTags(*in.Tags); err != nil {
			return nil, err
		}
	}
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := s.visibleTopic(ctx, tx, id, u)
	if err != nil {
		return nil, err
	}
	if err := s.check(u, ActionEditPost, t.Resource(), tx.now); err != nil {
		return nil, err
	}
	if in.CategoryID != nil && *in.CategoryID != t.CategoryID {
		cat, err := findCategory(ctx, tx, *in.CategoryID)
		if err != nil {
			return nil, invalid("category", "forum.error.category_not_found", nil)
		}
		if err := s.check(u, ActionCreateTopic, Resource{StaffOnly: cat.StaffOnly}, tx.now); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET category_id = ? WHERE id = ?`, cat.ID, id); err != nil {
			return nil, fmt.Errorf("edit topic: %w", err)
		}
		if err := addEvent(ctx, tx, actorEvent(t, EventCategoryChanged, u, 0, map[string]string{
			"from": fmt.Sprint(t.CategoryID), "to": fmt.Sprint(cat.ID)})); err != nil {
			return nil, err
		}
	}
	if in.Tags != nil {
		if err := setTags(ctx, tx, id, tags); err != nil {
			return nil, err
		}
	}
	if in.Title != nil && title != t.Title {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_topics SET title = ? WHERE id = ?`, title, id); err != nil {
			return nil, fmt.Errorf("edit topic: %w", err)
		}
		q, err := findPost(ctx, tx, id, 1)
		if err != nil {
			return nil, err
		}
		if err := s.addRevision(ctx, tx, q, u, title, q.Source, q.HTML); err != nil {
			return nil, err
		}
		if err := addEvent(ctx, tx, actorEvent(t, EventEdited, u, q.ID, nil)); err != nil {
			return nil, err
		}
		if err := s.reindexTopic(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	if t, err = findTopic(ctx, tx, id); err != nil {
		return nil, err
	}
	return t, s.commit(ctx, tx)
}

// ListTopics returns one page of visible topics.
func (s *Store) ListTopics(ctx context.Context, f TopicFilter) (*TopicList, error) {
	page, per := pageBounds(f.Page, f.PerPage, 30, 100)
	where := []string{"t.deleted_at IS NULL", "t.hidden = 0"}
	var args []any
	switch f.Kind {
	case "", ListLatest, ListNew:
	case ListUnanswered:
		where = append(where, "t.reply_count = 0", "t.close_reason = ''")
	case ListUnsolved:
		where = append(where, "t.accepted_post_id IS NULL", "t.close_reason = ''")
	case ListSolved:
		where = append(where, "t.accepted_post_id IS NOT NULL")
	default:
		return nil, invalid("kind", "forum.error.list_invalid", nil)
	}
	if f.Lang != "" {
		if !validLang(f.Lang) {
			return nil, invalid("lang", "forum.error.lang_invalid", nil)
		}
		where, args = append(where, "t.lang = ?"), append(args, f.Lang)
	}
	if f.CategoryID != 0 {
		where, args = append(where, "t.category_id = ?"), append(args, f.CategoryID)
	}
	if f.AuthorID != 0 {
		where, args = append(where, "t.author_id = ?"), append(args, f.AuthorID)
	}
	if f.DocsPath != "" {
		where, args = append(where, "t.docs_path = ?"), append(args, strings.TrimSuffix(f.DocsPath, "/"))
	}
	if f.Tag != "" {
		where = append(where, "EXISTS (SELECT 1 FROM forum_topic_tags g WHERE g.topic_id = t.id AND g.tag = ?)")
		args = append(args, strings.ToLower(strings.TrimSpace(f.Tag)))
	}
	order := "t.pinned DESC, t.bumped_at DESC, t.id DESC"
	if f.Kind == ListNew || f.AuthorID != 0 || f.DocsPath != "" {
		order = "t.created_at DESC, t.id DESC"
	}
	w := strings.Join(where, " AND ")

	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	list := &TopicList{Page: page, PerPage: per}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_topics t WHERE `+w, args...).Scan(&list.Total); err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+topicCols+topicFrom+` WHERE `+w+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			return nil, fmt.Errorf("list topics: %w", err)
		}
		list.Topics = append(list.Topics, t)
	}
	return list, rows.Err()
}

// TagCount is a tag and the number of visible topics carrying it.
type TagCount struct {
	Tag   string
	Count int
}

// Tags returns the most used tags, most used first.
func (s *Store) Tags(ctx context.Context, limit int) ([]TagCount, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT g.tag, count(*) FROM forum_topic_tags g JOIN forum_topics t ON t.id = g.topic_id
		WHERE t.deleted_at IS NULL AND t.hidden = 0 GROUP BY g.tag ORDER BY count(*) DESC, g.tag LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	var out []TagCount
	for rows.Next() {
		var tc TagCount
		if err := rows.Scan(&tc.Tag, &tc.Count); err != nil {
			return nil, fmt.Errorf("tags: %w", err)
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}
