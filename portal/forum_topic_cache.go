package portal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"html/template"
	"strconv"
	"sync"

	"switchboard/forum"
)

// Anonymous readers all see the same posts section of a topic page, so it
// is rendered once and reused until anything it shows changes. Executing
// the post templates for a 100-reply topic costs several milliseconds;
// the cached section costs a hash over the posts' fields. Signed-in
// viewers see their own buttons and get a fresh render.

// postsCacheMax bounds the number of cached sections.
const postsCacheMax = 512

type postsCache struct {
	mu    sync.Mutex
	byKey map[string]template.HTML
}

var anonPosts = &postsCache{byKey: map[string]template.HTML{}}

// cachedPosts returns the posts section of v (a topic page for an
// anonymous reader), rendering it on a miss.
func (s *Server) cachedPosts(v *view, tv *forum.TopicView) (template.HTML, error) {
	key := fmt.Sprintf("%p:", s) + postsKey(v.Lang, tv) // one cache shared by test servers
	anonPosts.mu.Lock()
	h, ok := anonPosts.byKey[key]
	anonPosts.mu.Unlock()
	if ok {
		return h, nil
	}
	tm, err := s.tmpl.get("forum/topic")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := tm.ExecuteTemplate(&buf, "forum_topic_posts", v); err != nil {
		return "", err
	}
	h = template.HTML(buf.String()) // rendered by html/template
	anonPosts.mu.Lock()
	if len(anonPosts.byKey) >= postsCacheMax {
		clear(anonPosts.byKey)
	}
	anonPosts.byKey[key] = h
	anonPosts.mu.Unlock()
	return h, nil
}

// postsKey identifies everything the section shows: the server's
// templates, the language, and every displayed field of the topic and
// its posts. An edit bumps a post's revision, so the HTML itself need not
// be hashed.
func postsKey(lang string, tv *forum.TopicView) string {
	h := fnv.New64a()
	var b [8]byte
	num := func(n int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	t := tv.Topic
	num(t.ID)
	num(t.AcceptedPostID)
	num(int64(t.ReplyCount))
	str(string(t.CloseReason))
	str(t.Title)
	for _, p := range append([]*forum.Post{tv.Question}, tv.Replies...) {
		num(p.ID)
		num(int64(p.Revision))
		num(int64(p.Score))
		num(int64(len(p.HTML)))
		num(p.CreatedAt.UnixNano())
		num(p.DeletedAt.UnixNano())
		str(p.AuthorName)
		str(p.AuthorUsername)
		str(string(p.AuthorRole))
		if p.Hidden {
			num(1)
		}
		if p.Redacted {
			num(2)
		}
		if p.Accepted {
			num(3)
		}
	}
	return lang + ":" + strconv.FormatInt(t.ID, 10) + ":" + strconv.FormatUint(h.Sum64(), 16)
}
