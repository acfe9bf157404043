package portal

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// flagQueue is the moderators' queue of flagged posts.
func (s *Server) flagQueue(c echo.Context) error {
	queue, err := s.cfg.Forum.FlagQueue(c.Request().Context(), 100)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/forum/flags")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.flags.title")
	v.Data = map[string]any{"Queue": queue}
	return s.render(c, http.StatusOK, "forum/flags", v)
}

// reviewFlags removes the post (verdict=removed) or dismisses its flags
// (verdict=kept).
func (s *Server) reviewFlags(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.ReviewFlags(c.Request().Context(), id, forum.Verdict(c.FormValue("verdict"))); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/forum/flags")
}
