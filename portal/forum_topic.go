package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// postForm is a reply, edit or new-topic form as the user filled it in:
// re-rendered with their text after a preview, an invalid input or a rate
// limit, so no text is ever lost.
type postForm struct {
	Title      string
	Body       string
	CategoryID int64
	Tags       string
	Lang       string
	Priority   string
	Impact     string // urgent questions: one line on what is broken
	DocsPath   string
	Error      string        // localized error message
	Preview    template.HTML // sanitized preview, when asked for
}

// topicPageData is what templates/pages/forum/topic.html shows.
type topicPageData struct {
	View         *forum.TopicView
	Reply        postForm
	CloseReasons []forum.CloseReason
	// The posts with the viewer's permissions, and their labels
	// (forum_items.go).
	Question, Accepted *postItem
	Replies            []*postItem
	Labels             *postLabels
}

var (
	flagReasons  = []forum.FlagReason{forum.FlagSpam, forum.FlagInappropriate, forum.FlagOffTopic, forum.FlagOther}
	closeReasons = []forum.CloseReason{forum.CloseResolved, forum.CloseOutdated, forum.CloseDuplicate}
)

// topicPage serves /{lang}/forum/t/{id}-{slug}; another slug (or none)
// redirects to the canonical address.
func (s *Server) topicPage(c echo.Context) error {
	ref := c.Param("ref")
	if u, err := url.PathUnescape(ref); err == nil {
		ref = u
	}
	idStr, slug, _ := strings.Cut(ref, "-")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	tv, err := s.cfg.Forum.TopicPage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if slug != tv.Topic.Slug() {
		target := topicURL(langOf(c), tv.Topic)
		if q := c.Request().URL.RawQuery; q != "" {
			target += "?" + q
		}
		return c.Redirect(http.StatusMovedPermanently, target)
	}
	s.recordView(c, tv.Topic.ID)
	return s.renderTopic(c, http.StatusOK, tv, postForm{})
}

// recordView counts a view of the topic for the lists, and for a
// signed-in reader marks it read. Failing to count does not fail the page.
func (s *Server) recordView(c echo.Context, topicID int64) {
	ctx := c.Request().Context()
	key := c.RealIP()
	if u := viewer(c); u != nil {
		key = fmt.Sprintf("u:%d", u.ID)
		if err := s.cfg.Forum.MarkTopicRead(ctx, u.ID, topicID); err != nil {
			s.log.ErrorContext(ctx, "mark topic read", "topic", topicID, "err", err)
		}
	}
	if err := s.cfg.Forum.RecordView(ctx, topicID, key); err != nil {
		s.log.ErrorContext(ctx, "count topic view", "topic", topicID, "err", err)
	}
}

func (s *Server) renderTopic(c echo.Context, status int, tv *forum.TopicView, form postForm) error {
	lang := langOf(c)
	t := tv.Topic
	v := s.newView(c, lang, strings.TrimPrefix(topicURL(lang, t), "/"+lang))
	v.Section = "forum"
	v.Title = t.Title
	v.Description = v.T("web.topic.description", "Count", t.ReplyCount, "Category", tv.Category.Name(lang))
	if t.Lang != lang || t.Hidden || t.Deleted() {
		v.NoIndex = true
	}
	d := &topicPageData{View: tv, Reply: form, CloseReasons: closeReasons}
	v.Data = d
	prepare := func() error {
		d.Labels = v.postLabels()
		d.Question, d.Accepted, d.Replies = v.postItems(tv, s.cfg.Now())
		return s.renderPosts(v, d)
	}
	if status == http.StatusOK && form == (postForm{}) {
		key := "topic:" + lang + ":" + strconv.FormatInt(t.ID, 10)
		return s.serveAnon(c, key, s.anonStamp(""), "forum/topic", v, prepare)
	}
	if err := prepare(); err != nil {
		return err
	}
	return s.render(c, status, "forum/topic", v)
}

// replyTopic posts a reply, or with action=preview shows it first.
func (s *Server) replyTopic(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	lang := langOf(c)
	form := postForm{Body: c.FormValue("body")}
	if c.FormValue("action") == "preview" {
		return s.rerenderTopic(c, id, form, nil)
	}
	p, err := s.cfg.Forum.Reply(ctx, id, form.Body)
	if err != nil {
		return s.rerenderTopic(c, id, form, err)
	}
	t, err := s.cfg.Forum.Topic(ctx, id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, topicURL(lang, t)+"#post-"+strconv.Itoa(p.Number))
}

// rerenderTopic shows the topic page again with the reply form as
// submitted: with its preview, or with the error that stopped it.
func (s *Server) rerenderTopic(c echo.Context, id int64, form postForm, cause error) error {
	loc := s.localizer(langOf(c))
	status := http.StatusOK
	if cause != nil {
		st, msg, ok := formError(c, loc, cause)
		if !ok {
			return cause
		}
		status, form.Error = st, msg
	} else if err := s.preview(&form, loc, c); err != nil {
		return err
	}
	tv, err := s.cfg.Forum.TopicPage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderTopic(c, status, tv, form)
}

// preview renders form.Body into form.Preview, or puts the reason it
// cannot into form.Error.
func (s *Server) preview(form *postForm, loc *localizer, c echo.Context) error {
	h, err := s.cfg.Forum.RenderPreview(form.Body)
	if err != nil {
		_, msg, ok := formError(c, loc, err)
		if !ok {
			return err
		}
		form.Error = msg
		return nil
	}
	form.Preview = template.HTML(h) // sanitized by the forum
	return nil
}

// previewPost answers the JavaScript preview: the sanitized HTML of the
// posted Markdown, exactly as it would be stored.
func (s *Server) previewPost(c echo.Context) error {
	h, err := s.cfg.Forum.RenderPreview(c.FormValue("body"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(http.StatusOK, h)
}

// topicAction runs a moderation action on topic :id and returns to it.
func (s *Server) topicAction(c echo.Context, do func(id int64) error) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := do(id); err != nil {
		return err
	}
	t, err := s.cfg.Forum.Topic(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, topicURL(langOf(c), t))
}

func on(c echo.Context) bool { return c.FormValue("on") != "0" }

func (s *Server) closeTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error {
		return s.cfg.Forum.CloseTopic(c.Request().Context(), id, forum.CloseReason(c.FormValue("reason")), topicRef(c.FormValue("duplicate_of")))
	})
}

// topicRef reads a topic given as an ID or as a topic address.
func topicRef(s string) int64 {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "/forum/t/"); i >= 0 {
		s = s[i+len("/forum/t/"):]
	}
	s, _, _ = strings.Cut(s, "-")
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func (s *Server) reopenTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.ReopenTopic(c.Request().Context(), id) })
}

func (s *Server) lockTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.SetLocked(c.Request().Context(), id, on(c)) })
}

func (s *Server) pinTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.SetPinned(c.Request().Context(), id, on(c)) })
}

func (s *Server) watchTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.Watch(c.Request().Context(), id, on(c)) })
}

func (s *Server) unacceptTopic(c echo.Context) error {
	return s.topicAction(c, func(id int64) error { return s.cfg.Forum.Unaccept(c.Request().Context(), id) })
}
