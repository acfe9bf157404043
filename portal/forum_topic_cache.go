package portal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// Anonymous readers all see the same topic page except for their CSRF
// token (in <meta name="csrf-token">), so the page is rendered once and
// reused until anything it shows changes; each response splices in the
// reader's token. Executing the templates for a 100-reply topic costs
// most of a millisecond; serving the cached page costs a hash over the
// posts' fields and a copy. Signed-in viewers see their own buttons and
// get a fresh render.

// anonPagesMax bounds the number of cached pages (about 200 KB each for a
// 100-reply topic).
const anonPagesMax = 256

// pageTTL bounds how long a cached page is served.
const pageTTL = 30 * time.Second

// csrfPlaceholder stands for the token in cached pages: letters only, so
// html/template writes it unchanged.
const csrfPlaceholder = "CSRFTOKENPLACEHOLDERzqxjvkw"

type anonPage struct {
	parts [][]byte // the page split around the token
	lang  string
}

// anonPageCache holds anonymous readers' topic pages by pageKey; a Server
// has one.
type anonPageCache struct {
	mu    sync.Mutex
	byKey map[string]*anonPage
}

func (pc *anonPageCache) get(key string) *anonPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.byKey[key]
}

func (pc *anonPageCache) put(key string, p *anonPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.byKey == nil || len(pc.byKey) >= anonPagesMax {
		pc.byKey = map[string]*anonPage{}
	}
	pc.byKey[key] = p
}

// serveAnonTopic writes the topic page v for an anonymous reader from the
// cache, rendering it on a miss. Like render, it sets an ETag and answers
// 304 when the reader already has the page. prepare fills in what the
// templates need, on a miss only.
func (s *Server) serveAnonTopic(c echo.Context, v *view, tv *forum.TopicView, prepare func() error) error {
	token := v.CSRF
	key := pageKey(v.Lang, tv)
	p := s.anonPages.get(key)
	if p == nil {
		tm, err := s.tmpl.get("forum/topic")
		if err != nil {
			return err
		}
		if err := prepare(); err != nil {
			return err
		}
		v.CSRF = csrfPlaceholder
		var buf bytes.Buffer
		if err := tm.ExecuteTemplate(&buf, "layout", v); err != nil {
			return fmt.Errorf("render forum/topic: %w", err)
		}
		v.CSRF = token
		p = &anonPage{parts: bytes.Split(buf.Bytes(), []byte(csrfPlaceholder)), lang: v.HTMLLang()}
		s.anonPages.put(key, p)
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	h.Write([]byte(token))
	etag := `W/"` + strconv.FormatUint(h.Sum64(), 16) + `"`
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", p.lang)
	hdr.Set("Vary", "Accept-Encoding, Cookie")
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response()
	for i, part := range p.parts {
		if i > 0 {
			if _, err := w.Write([]byte(token)); err != nil {
				return nil // the reader went away
			}
		}
		if _, err := w.Write(part); err != nil {
			return nil
		}
	}
	return nil
}

// pageKey identifies everything an anonymous reader's topic page shows:
// the language and every displayed field of the topic, its category and
// its posts. An edit bumps a post's revision, so the HTML itself need not
// be hashed. The page also shows time-dependent figures (the SLA line's
// "overdue by"), so a key lasts at most pageTTL.
func pageKey(lang string, tv *forum.TopicView) string {
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
	flag := func(on bool) {
		if on {
			num(1)
		} else {
			num(0)
		}
	}
	t := tv.Topic
	num(time.Now().UnixNano() / int64(pageTTL))
	num(t.ID)
	num(t.AcceptedPostID)
	num(int64(t.ReplyCount))
	num(t.DuplicateOf)
	str(string(t.CloseReason))
	str(t.Title)
	str(t.Lang)
	str(t.DocsPath)
	str(strings.Join(t.Tags, ","))
	flag(t.Locked)
	flag(t.Pinned)
	flag(t.Hidden)
	flag(t.WaitingOnAsker)
	str(string(t.Priority))
	num(t.AssigneeID)
	num(t.DeletedAt.UnixNano())
	if d := tv.DuplicateOf; d != nil {
		str(d.Title)
	}
	cat := tv.Category
	num(cat.ID)
	str(cat.Slug)
	str(cat.NameEN)
	str(cat.NameZH)
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
		flag(p.Hidden)
		flag(p.Redacted)
		flag(p.Accepted)
	}
	return lang + ":" + strconv.FormatInt(t.ID, 10) + ":" + strconv.FormatUint(h.Sum64(), 16)
}
