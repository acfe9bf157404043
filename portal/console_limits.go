package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/support"
)

// A request to raise an app's limits opens a support ticket for the app's
// team, naming the app and the limits asked for. On a plan without
// tickets it is a pre-sales consultation, which every team may open:
// higher limits are what a paid plan sells.

// limitRequests are the limits the form asks about: form field, message
// ID, and the row of limitRows with the value in force.
var limitRequests = []struct{ Field, ID string }{
	{"max_conns", "console.limit.max_conns"},
	{"publish_rate", "console.limit.publish_rate"},
	{"api_rate", "console.limit.api_rate"},
}

func (s *Server) consoleRequestLimits(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.Authorize(ctx, c.Param("app"), console.ActRequestLimits)
	if err != nil {
		return err
	}
	lang := langOf(c)
	loc := s.localizer(lang)
	current := map[string]any{}
	for _, r := range limitRows(s.cfg.EngineLimits, app.Limits) {
		current[r.ID] = r.Value
	}
	var lines []string
	for _, f := range limitRequests {
		v := strings.TrimSpace(c.FormValue(f.Field))
		if v == "" {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n <= 0 || n != n {
			return s.renderConsoleApp(c, http.StatusBadRequest, &appData{Error: loc.T("console.limits_req.error")})
		}
		lines = append(lines, "- "+loc.T("console.limits_req.line", "Limit", loc.T(f.ID), "Current", fmt.Sprint(current[f.ID]),
			"Requested", strconv.FormatFloat(n, 'f', -1, 64)))
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if len(lines) == 0 || reason == "" {
		return s.renderConsoleApp(c, http.StatusBadRequest, &appData{Error: loc.T("console.limits_req.error")})
	}
	plan, err := s.cfg.Support.TeamPlan(ctx, app.TeamID)
	if err != nil {
		return err
	}
	kind := support.KindPresales
	if plan.Tickets {
		kind = support.KindSupport
	}
	body := loc.T("console.limits_req.body", "App", app.Name, "ID", app.ID) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + reason
	// The app's last hour of usage goes with it, for staff to judge.
	t, err := s.cfg.Support.Open(ctx, support.NewTicket{TeamID: app.TeamID, Kind: kind, AppID: app.ID, Diagnostics: true,
		Subject: loc.T("console.limits_req.subject", "App", app.Name), Body: body})
	if err != nil {
		if status, msg, ok := supportFormError(loc, err); ok {
			return s.renderConsoleApp(c, status, &appData{Error: msg})
		}
		return err
	}
	s.mailTicket(ctx, c, t, "ticket_created", t.OpenedBy)
	return c.Redirect(http.StatusSeeOther, ticketPath(lang, t.ID))
}
