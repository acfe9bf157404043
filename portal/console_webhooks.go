package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// An app's webhooks in the console, on top of package webhooks. Every
// handler asks the console first (console.Authorize), so the endpoint IDs
// of another team's app answer 404.

func (s *Server) registerConsoleWebhookRoutes(g *echo.Group) {
	if s.cfg.Webhooks == nil {
		return
	}
	g.GET("/apps/:app/webhooks", s.consoleWebhooks)
	g.POST("/apps/:app/webhooks", s.consoleAddWebhook)
	g.POST("/apps/:app/webhooks/:endpoint/remove", s.consoleRemoveWebhook)
	g.POST("/apps/:app/webhooks/:endpoint/test", s.consoleTestWebhook)
	g.POST("/apps/:app/webhooks/:endpoint/redeliver", s.consoleRedeliver)
}

// webhooksData is what templates/pages/console/webhooks.html shows.
type webhooksData struct {
	App       console.App
	Staff     bool
	Endpoints []endpointView
	Types     []string
	// NewSecret is the signing secret of the endpoint just added.
	NewSecret string
	Tested    *webhooks.Delivery
	Error     string
	URL       string
	Chosen    map[string]bool
	Channels  string
}

type endpointView struct {
	webhooks.Endpoint
	Deliveries []webhooks.Delivery
	Failed     []webhooks.FailedEvent
}

// CanManage reports whether the reader may change the app's webhooks.
func (d webhooksData) CanManage() bool {
	return console.Allowed(d.App.Role, d.Staff, console.ActManageWebhooks)
}

func (s *Server) consoleWebhooks(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, &webhooksData{})
}

func (s *Server) renderWebhooks(c echo.Context, status int, d *webhooksData) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.App(ctx, c.Param("app"))
	if err != nil {
		return err
	}
	d.App, d.Staff, d.Types = app, viewerStaff(c), webhooks.Types
	eps, err := s.cfg.Webhooks.Endpoints(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, e := range eps {
		ev := endpointView{Endpoint: e}
		ev.Secret = "" // shown once, when the endpoint is added
		if ev.Deliveries, err = s.cfg.Webhooks.Deliveries(ctx, e.ID); err != nil {
			return err
		}
		if len(ev.Deliveries) > 20 {
			ev.Deliveries = ev.Deliveries[:20]
		}
		if ev.Failed, err = s.cfg.Webhooks.Failed(ctx, app.ID, e.ID); err != nil {
			return err
		}
		d.Endpoints = append(d.Endpoints, ev)
	}
	v := s.consoleView(c, "/console/apps/"+app.ID+"/webhooks", "console.webhooks.title", "Name", app.Name)
	v.Data = d
	return s.render(c, status, "console/webhooks", v)
}

// authorizeWebhooks checks that the reader may manage the app's webhooks.
func (s *Server) authorizeWebhooks(c echo.Context) (console.App, error) {
	return s.cfg.Console.Authorize(c.Request().Context(), c.Param("app"), console.ActManageWebhooks)
}

func (s *Server) webhooksURL(c echo.Context) string { return s.appURL(c, c.Param("app")) + "/webhooks" }

func (s *Server) consoleAddWebhook(c echo.Context) error {
	app, err := s.authorizeWebhooks(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	d := &webhooksData{URL: strings.TrimSpace(c.FormValue("url")), Channels: strings.TrimSpace(c.FormValue("channels")), Chosen: map[string]bool{}}
	for _, e := range form["events"] {
		d.Chosen[e] = true
	}
	ep, err := s.cfg.Webhooks.Add(c.Request().Context(), webhooks.NewEndpoint{AppID: app.ID, URL: d.URL, Events: form["events"], Channels: d.Channels})
	switch {
	case errors.Is(err, webhooks.ErrPrivate):
		d.Error = s.localizer(langOf(c)).T("console.webhooks.error_private")
		return s.renderWebhooks(c, http.StatusBadRequest, d)
	case errors.Is(err, webhooks.ErrInvalid):
		d.Error = s.localizer(langOf(c)).T("console.webhooks.error_invalid")
		return s.renderWebhooks(c, http.StatusBadRequest, d)
	case err != nil:
		return err
	}
	return s.renderWebhooks(c, http.StatusCreated, &webhooksData{NewSecret: ep.Secret})
}

func (s *Server) consoleRemoveWebhook(c echo.Context) error {
	app, err := s.authorizeWebhooks(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Webhooks.Remove(c.Request().Context(), app.ID, c.Param("endpoint")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.webhooksURL(c))
}

func (s *Server) consoleTestWebhook(c echo.Context) error {
	app, err := s.authorizeWebhooks(c)
	if err != nil {
		return err
	}
	d, err := s.cfg.Webhooks.Test(c.Request().Context(), app.ID, c.Param("endpoint"))
	if err != nil {
		return err
	}
	return s.renderWebhooks(c, http.StatusOK, &webhooksData{Tested: &d})
}

func (s *Server) consoleRedeliver(c echo.Context) error {
	app, err := s.authorizeWebhooks(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Webhooks.Redeliver(c.Request().Context(), app.ID, c.Param("endpoint"), c.FormValue("event")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.webhooksURL(c))
}
