package forum

import (
	"context"
	"strconv"
	"sync"
)

// docsTopicsCache keeps TopicsForDocsPage results: every docs page shows
// the topics that reference it, and the query (prepared per call by the
// list builder) was a quarter of a docs page's server time. Entries are
// valid for one generation of the page cache, which every committed write
// bumps, so a new or deleted topic shows at once.
type docsTopicsCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string][]*Topic
}

// maxDocsTopicsEntries bounds the cache: one entry per docs page and
// language in practice; the bound only guards against odd callers.
const maxDocsTopicsEntries = 4096

func (c *docsTopicsCache) get(key string, gen uint64) ([]*Topic, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	t, ok := c.m[key]
	return t, ok
}

func (c *docsTopicsCache) put(key string, gen uint64, topics []*Topic) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil || len(c.m) >= maxDocsTopicsEntries {
		c.gen, c.m = gen, map[string][]*Topic{}
	}
	c.m[key] = topics
}

// TopicsForDocsPage returns the newest visible topics that reference the
// docs page path, in lang. The topics are shared between callers: treat
// them as read-only.
func (s *Store) TopicsForDocsPage(ctx context.Context, path, lang string, limit int) ([]*Topic, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	key := lang + "\x00" + strconv.Itoa(limit) + "\x00" + path
	gen := s.pages.gen.Load()
	if t, ok := s.docsTopics.get(key, gen); ok {
		return t, nil
	}
	l, err := s.ListTopics(ctx, TopicFilter{DocsPath: path, Lang: lang, PerPage: limit})
	if err != nil {
		return nil, err
	}
	s.docsTopics.put(key, gen, l.Topics)
	return l.Topics, nil
}
