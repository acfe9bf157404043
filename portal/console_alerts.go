package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/console"
)

// An app's alert rules and their history, on the app's console page:
// developers and owners add and remove rules (console.ActManageAlerts),
// every member reads them.

func (s *Server) registerConsoleAlertRoutes(g *echo.Group) {
	if s.cfg.Support != nil {
		g.POST("/apps/:app/limits", s.consoleRequestLimits) // console_limits.go
	}
	if s.cfg.Alerts == nil {
		return
	}
	g.POST("/apps/:app/alerts", s.consoleAddAlert)
	g.POST("/apps/:app/alerts/:rule/delete", s.consoleDeleteAlert)
}

// alertHistoryLen is how many events the app page lists.
const alertHistoryLen = 20

func (s *Server) appAlerts(ctx context.Context, d *appData) error {
	if s.cfg.Alerts == nil {
		return nil
	}
	var err error
	d.Alerts, d.AlertMetrics = true, alerts.Metrics
	if d.Rules, err = s.cfg.Alerts.Rules(ctx, d.App.ID); err != nil {
		return err
	}
	d.AlertHistory, err = s.cfg.Alerts.History(ctx, []string{d.App.ID}, alertHistoryLen)
	return err
}

func (s *Server) consoleAddAlert(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.Authorize(ctx, c.Param("app"), console.ActManageAlerts)
	if err != nil {
		return err
	}
	threshold, perr := strconv.ParseFloat(strings.TrimSpace(c.FormValue("threshold")), 64)
	window, werr := strconv.Atoi(strings.TrimSpace(c.FormValue("window")))
	if perr != nil || werr != nil {
		err = alerts.ErrInvalid
	} else {
		_, err = s.cfg.Alerts.Create(ctx, alerts.NewRule{AppID: app.ID, Metric: alerts.Metric(c.FormValue("metric")),
			Code: c.FormValue("code"), Threshold: threshold, Window: window, CreatedBy: viewer(c).ID})
	}
	if errors.Is(err, alerts.ErrInvalid) {
		return s.renderConsoleApp(c, http.StatusBadRequest, &appData{Error: s.localizer(langOf(c)).T("console.alerts.error_invalid")})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, app.ID)+"#alerts-h")
}

func (s *Server) consoleDeleteAlert(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.Authorize(ctx, c.Param("app"), console.ActManageAlerts)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("rule"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.cfg.Alerts.Delete(ctx, app.ID, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, app.ID)+"#alerts-h")
}

// alertNotice is one alert event on the notifications page.
type alertNotice struct {
	alerts.Event
	App string // the app's name
}

// alertNotifications lists the newest alert events of the apps of every
// team the signed-in reader belongs to.
func (s *Server) alertNotifications(c echo.Context) ([]alertNotice, error) {
	u := viewer(c)
	if s.cfg.Alerts == nil || s.cfg.Console == nil || u == nil {
		return nil, nil
	}
	ctx := console.NewContext(c.Request().Context(), console.Actor{UserID: u.ID, Name: u.Name, Email: u.Email})
	ids, err := s.cfg.Console.MemberAppIDs(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	evs, err := s.cfg.Alerts.History(ctx, ids, alertHistoryLen)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]alertNotice, 0, len(evs))
	for _, e := range evs {
		name, ok := names[e.AppID]
		if !ok {
			app, err := s.cfg.Console.App(ctx, e.AppID)
			if errors.Is(err, console.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
			name, names[e.AppID] = app.Name, app.Name
		}
		out = append(out, alertNotice{Event: e, App: name})
	}
	return out, nil
}
