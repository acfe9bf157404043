package forum

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

const (
	qTopicPosts = `SELECT ` + postPageCols + ` FROM forum_posts p JOIN forum_users u ON u.id = p.author_id
		WHERE p.topic_id = ? ORDER BY p.number`
	qViewerVotes = `SELECT v.post_id FROM forum_votes v JOIN forum_posts p ON p.id = v.post_id
		WHERE p.topic_id = ? AND v.user_id = ?`
	qViewerWatch = `SELECT count(*) > 0 FROM forum_watches WHERE topic_id = ? AND user_id = ?`
)

// pageCacheBytes bounds the HTML held by the topic page cache.
const pageCacheBytes = 32 << 20

// pageCache keeps the viewer-independent part of recently read topic
// pages. Every committed write of the Store bumps gen, which invalidates
// every entry: simple, and always correct for one process owning the
// database file (Switchboard's deployment). Reading a 100-reply page from
// SQLite costs about a millisecond, mostly copying HTML out of the
// database; from the cache it costs a few microseconds.
type pageCache struct {
	gen   atomic.Uint64
	mu    sync.Mutex
	pages map[int64]*cachedPage
	bytes int
}

type cachedPage struct {
	gen   uint64
	view  *TopicView // unredacted, without viewer state
	bytes int
}

func newPageCache() *pageCache { return &pageCache{pages: map[int64]*cachedPage{}} }

func (c *pageCache) get(id int64, gen uint64) *TopicView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.pages[id]; p != nil && p.gen == gen {
		return p.view
	}
	return nil
}

func (c *pageCache) put(id int64, gen uint64, v *TopicView) {
	size := len(v.Question.HTML)
	for _, p := range v.Replies {
		size += len(p.HTML)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.pages[id]; old != nil {
		c.bytes -= old.bytes
		delete(c.pages, id)
	}
	for k, p := range c.pages { // stale entries are useless
		if p.gen != gen {
			c.bytes -= p.bytes
			delete(c.pages, k)
		}
	}
	for k, p := range c.pages { // still no room: forget arbitrary pages
		if c.bytes+size <= pageCacheBytes {
			break
		}
		c.bytes -= p.bytes
		delete(c.pages, k)
	}
	if size > pageCacheBytes {
		return
	}
	c.pages[id] = &cachedPage{gen: gen, view: v, bytes: size}
	c.bytes += size
}

// TopicPage loads a topic with its question and every reply, in order, as
// the viewer in ctx may see them: deleted and hidden content is redacted
// for those who may not read it, and Post.Voted and Watching are the
// viewer's. Sources are left out; use Post to edit. It returns
// ErrNotFound for missing topics and for deleted or hidden ones the
// viewer may not see.
func (s *Store) TopicPage(ctx context.Context, id int64) (*TopicView, error) {
	gen := s.pages.gen.Load()
	base := s.pages.get(id, gen)
	if base == nil {
		tx, err := s.read(ctx)
		if err != nil {
			return nil, err
		}
		base, err = s.loadTopicPage(ctx, tx, id)
		tx.Rollback()
		if err != nil {
			return nil, err
		}
		s.pages.put(id, gen, base)
	}
	return s.personalize(ctx, base)
}

// loadTopicPage reads the viewer-independent page.
func (s *Store) loadTopicPage(ctx context.Context, tx *txn, id int64) (*TopicView, error) {
	t, err := findTopic(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	v := &TopicView{Topic: t}
	if v.Category, err = findCategory(ctx, tx, t.CategoryID); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, qTopicPosts, id)
	if err != nil {
		return nil, fmt.Errorf("topic page: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("topic page: %w", err)
		}
		if p.Number == 1 {
			v.Question = p
		} else {
			v.Replies = append(v.Replies, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("topic page: %w", err)
	}
	if v.Question == nil {
		return nil, fmt.Errorf("topic page: topic %d has no question post", id)
	}
	if t.DuplicateOf != 0 {
		if v.DuplicateOf, err = findTopic(ctx, tx, t.DuplicateOf); err != nil {
			v.DuplicateOf = nil
		}
	}
	return v, nil
}

// personalize copies a base page for the viewer in ctx.
func (s *Store) personalize(ctx context.Context, base *TopicView) (*TopicView, error) {
	viewer := UserFromContext(ctx)
	now := s.now()
	mod := Can(viewer, ActionViewHidden, Resource{}, now)
	canSee := func(t *Topic) bool {
		return !(t.Deleted() && !mod || t.Hidden && !mod && (viewer == nil || viewer.ID != t.AuthorID))
	}
	if !canSee(base.Topic) {
		return nil, notFound("forum.error.topic_not_found")
	}
	t := *base.Topic
	v := &TopicView{Topic: &t, Category: base.Category}
	if d := base.DuplicateOf; d != nil && canSee(d) {
		dc := *d
		v.DuplicateOf = &dc
	}
	posts := make([]Post, 1+len(base.Replies)) // one allocation for all copies
	byID := make(map[int64]*Post, len(posts))
	posts[0] = *base.Question
	v.Question = &posts[0]
	v.Replies = make([]*Post, len(base.Replies))
	for i, p := range base.Replies {
		posts[i+1] = *p
		v.Replies[i] = &posts[i+1]
	}
	for i := range posts {
		p := &posts[i]
		redact(p, viewer, mod)
		byID[p.ID] = p
		if p.Number > 1 && p.ID == t.AcceptedPostID {
			p.Accepted = true
			v.Accepted = p
		}
	}
	if viewer == nil {
		return v, nil
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	vr, err := tx.QueryContext(ctx, qViewerVotes, t.ID, viewer.ID)
	if err != nil {
		return nil, fmt.Errorf("topic page votes: %w", err)
	}
	defer vr.Close()
	for vr.Next() {
		var pid int64
		if err := vr.Scan(&pid); err != nil {
			return nil, fmt.Errorf("topic page votes: %w", err)
		}
		if p := byID[pid]; p != nil {
			p.Voted = true
		}
	}
	if err := vr.Err(); err != nil {
		return nil, fmt.Errorf("topic page votes: %w", err)
	}
	if err := tx.QueryRowContext(ctx, qViewerWatch, t.ID, viewer.ID).Scan(&v.Watching); err != nil {
		return nil, fmt.Errorf("topic page watch: %w", err)
	}
	return v, nil
}
