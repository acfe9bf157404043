package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/sandbox"
)

// Keeping a sandbox app: the anonymous sandbox's creator holds its App ID
// and server API key; signed in, they hand both to the console, which
// moves the app into their personal team as a development app, with its
// data. The sandbox then stops expiring it.

func (s *Server) consoleKeep(c echo.Context) error {
	if s.cfg.Sandbox == nil {
		return errNotFound
	}
	ctx := c.Request().Context()
	id, key := strings.TrimSpace(c.FormValue("app_id")), strings.TrimSpace(c.FormValue("api_key"))
	if err := s.cfg.Sandbox.Owns(ctx, id, key); err != nil {
		if errors.Is(err, sandbox.ErrNotFound) {
			return s.renderConsoleHome(c, http.StatusNotFound, s.localizer(langOf(c)).T("console.keep.not_found"))
		}
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" {
		name = s.localizer(langOf(c)).T("console.keep.default_name")
	}
	app, err := s.cfg.Console.AdoptApp(ctx, id, name)
	if status, msg, ok := s.consoleFormError(c, err); ok {
		return s.renderConsoleHome(c, status, msg)
	}
	if err != nil {
		return err
	}
	if err := s.cfg.Sandbox.Release(ctx, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, app.ID))
}
