package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

// Forum page limits.
const (
	topicsPerPage = 30
	feedEntries   = 30
)

func (s *Server) registerForumRoutes() {
	if s.cfg.Forum == nil {
		return
	}
	s.echo.Use(s.session)
	s.indexForum()
	e := s.echo
	e.GET("/forum/latest.atom", s.forumFeed, s.forumErrors)
	g := e.Group("/:lang", validLang, s.forumErrors)
	g.GET("/forum", s.forumIndex)
	g.GET("/forum/latest.atom", s.forumFeed)
	g.GET("/forum/unanswered.atom", s.forumFeed)
	g.GET("/forum/unsolved.atom", s.forumFeed)
	g.GET("/forum/c/:slug", s.forumIndex)
	g.GET("/forum/tag/:tag", s.forumIndex)
	g.GET("/forum/search", s.forumSearch)
	g.GET("/forum/new", s.newTopicForm)
	g.POST("/forum/new", s.createTopic)
	g.POST("/forum/preview", s.previewPost)
	g.GET("/forum/t/:ref", s.topicPage)
	g.POST("/forum/t/:id/reply", s.replyTopic)
	g.POST("/forum/t/:id/close", s.closeTopic)
	g.POST("/forum/t/:id/reopen", s.reopenTopic)
	g.POST("/forum/t/:id/lock", s.lockTopic, s.allow(forum.ActionLock))
	g.POST("/forum/t/:id/pin", s.pinTopic, s.allow(forum.ActionPin))
	g.POST("/forum/t/:id/watch", s.watchTopic)
	g.POST("/forum/t/:id/unaccept", s.unacceptTopic)
	g.POST("/forum/p/:id/accept", s.acceptPost)
	g.POST("/forum/p/:id/vote", s.votePost)
	g.GET("/forum/p/:id/flag", s.flagForm)
	g.POST("/forum/p/:id/flag", s.flagPost)
	g.POST("/forum/p/:id/delete", s.deletePost)
	g.GET("/forum/p/:id/edit", s.editPostForm)
	g.POST("/forum/p/:id/edit", s.editPost)
	g.GET("/forum/p/:id/revisions", s.revisionsPage)
	g.GET("/forum/p/:id", s.postRedirect)
	g.GET("/forum/flags", s.flagQueue, s.allow(forum.ActionReviewFlags))
	g.POST("/forum/flags/:id", s.reviewFlags, s.allow(forum.ActionReviewFlags))
}

// allow refuses a moderator or admin route before its handler reads any
// input, when the viewer may not perform a on any resource: a member
// posting a bad form to such a route learns that it is not theirs (403),
// not what was wrong with the form (400). The store checks again, with
// the resource, when it writes.
func (s *Server) allow(a forum.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := s.cfg.Forum.Allow(c.Request().Context(), a, forum.Resource{}); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// forumErrors sends anonymous visitors of pages that need an account to
// the login form; every other error goes on to handleError, which
// classifies it once.
func (s *Server) forumErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil && (errors.Is(err, forum.ErrUnauthorized) || errors.Is(err, support.ErrUnauthorized)) && !wantsJSON(c) && viewer(c) == nil {
			return c.Redirect(http.StatusSeeOther, loginURL(langOrPreferred(c), returnPath(c)))
		}
		return err
	}
}

// formError returns the status and localized text of a forum error the
// user can fix by changing or resubmitting a form (invalid input, a rate
// limit, a conflict, a forbidden choice), so the handler re-renders the
// form with the user's text kept. A rate limit also sets Retry-After.
func formError(c echo.Context, loc *localizer, err error) (int, string, bool) {
	if forum.AsError(err) == nil {
		return 0, "", false
	}
	status, msgID, args := classify(err)
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusForbidden, http.StatusTooManyRequests:
	default:
		return 0, "", false
	}
	setRetryAfter(c, err)
	return status, loc.T(msgID, args...), true
}

// langOrPreferred is the route's language, or the reader's preference on
// routes without one.
func langOrPreferred(c echo.Context) string {
	if l := langOf(c); l != "" {
		return l
	}
	return preferredLang(c.Request())
}

// returnPath is where to come back to after logging in: the page itself
// for GET requests, its referring page on this site for form posts.
func returnPath(c echo.Context) string {
	r := c.Request()
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return ref.RequestURI()
	}
	return ""
}

func loginURL(lang, next string) string {
	u := "/" + lang + "/login"
	if next != "" {
		u += "?next=" + url.QueryEscape(next)
	}
	return u
}

// paramID parses the :id route parameter.
func paramID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// formID parses a positive ID form field; 0 when empty.
func formInt(c echo.Context, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
