package portal

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
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

// serveAnonTopic writes the topic page v for an anonymous reader from the
// cache, rendering it on a miss. Like render, it sets an ETag and answers
// 304 when the reader already has the page. prepare fills in what the
// templates need, on a miss only.
func (s *Server) serveAnonTopic(c echo.Context, v *view, tv *forum.TopicView, prepare func() error) error {
	token := v.CSRF
	key := pageKey(v.Lang, tv)
	p, _ := s.anonPages.get(key)
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
	k := newKeyHash()
	t := tv.Topic
	k.num(time.Now().UnixNano() / int64(pageTTL))
	k.num(t.ID)
	k.num(t.AcceptedPostID)
	k.num(int64(t.ReplyCount))
	k.num(t.DuplicateOf)
	k.str(string(t.CloseReason))
	k.str(t.Title)
	k.str(t.Lang)
	k.str(t.DocsPath)
	k.str(strings.Join(t.Tags, ","))
	k.flag(t.Locked)
	k.flag(t.Pinned)
	k.flag(t.Hidden)
	k.flag(t.WaitingOnAsker)
	k.str(string(t.Priority))
	k.num(t.AssigneeID)
	k.num(t.DeletedAt.UnixNano())
	if d := tv.DuplicateOf; d != nil {
		k.str(d.Title)
	}
	cat := tv.Category
	k.num(cat.ID)
	k.str(cat.Slug)
	k.str(cat.NameEN)
	k.str(cat.NameZH)
	for _, p := range append([]*forum.Post{tv.Question}, tv.Replies...) {
		k.num(p.ID)
		k.num(int64(p.Revision))
		k.num(int64(p.Score))
		k.num(int64(len(p.HTML)))
		k.num(p.CreatedAt.UnixNano())
		k.num(p.DeletedAt.UnixNano())
		k.str(p.AuthorName)
		k.str(p.AuthorUsername)
		k.str(string(p.AuthorRole))
		k.flag(p.Hidden)
		k.flag(p.Redacted)
		k.flag(p.Accepted)
	}
	return lang + ":" + strconv.FormatInt(t.ID, 10) + ":" + k.sum()
}
