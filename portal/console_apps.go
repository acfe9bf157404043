package portal

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/engine"
)

// appData is what templates/pages/console/app.html shows. The secrets
// (Certificate, NewAPIKey, Token) are set only in the response to the
// form that asked for them, never in a page a GET can fetch again.
type appData struct {
	App         console.App
	Team        console.Team
	Staff       bool
	APIKeys     []engine.APIKeyInfo
	CertOverlap time.Time // previous certificate works until then
	// Owners' teams an app can be transferred to.
	TransferTeams []console.Team
	Limits        []limitRow
	DeleteGrace   time.Duration
	Overlaps      []overlapChoice
	TTLs          []overlapChoice

	Created     bool   // just created: the certificate and key are below, once
	Certificate string // revealed or new
	NewAPIKey   string
	Token       string
	TokenUser   string
	Error       string
	Notice      string
}

// limitRow is one limit in force: its message ID, value, and whether the
// app has its own value instead of the engine's.
type limitRow struct {
	ID       string
	Value    any
	Override bool
}

// limitRows lists the limits in force for an app whose overrides are o
// (zero: the engine's value e).
func limitRows(e engine.Limits, o engine.AppLimits) []limitRow {
	pick := func(own, def float64) (any, bool) {
		if own > 0 {
			return own, true
		}
		return def, false
	}
	conns, co := pick(float64(o.MaxConns), float64(e.MaxConnsPerApp))
	rate, ro := pick(o.PublishRate, e.PublishRate)
	burst, bo := pick(float64(o.PublishBurst), float64(e.PublishBurst))
	api, ao := pick(o.APIRate, e.APIRate)
	return []limitRow{
		{"console.limit.max_conns", conns, co},
		{"console.limit.publish_rate", rate, ro},
		{"console.limit.publish_burst", burst, bo},
		{"console.limit.api_rate", api, ao},
		{"console.limit.max_message_bytes", e.MaxMessageBytes, false},
		{"console.limit.max_subscriptions", e.MaxSubscriptionsPerConn, false},
		{"console.limit.history_size", e.HistorySize, false},
		{"console.limit.history_ttl", e.HistoryTTL, false},
		{"console.limit.offline_ttl", e.OfflineTTL, false},
		{"console.limit.max_offline", e.MaxOfflinePerUser, false},
	}
}

type overlapChoice struct {
	Value time.Duration
	Label string
}

// Can reports whether the reader may do act (named as in console.Action)
// on the app, so the page shows only the controls that would work.
func (d appData) Can(act string) bool {
	return console.Allowed(d.App.Role, d.Staff, console.Action(act))
}

// SupportVisible: owners are told that support staff can read the app.
func (d appData) SupportVisible() bool { return d.App.Role == console.RoleOwner }

func (s *Server) appURL(c echo.Context, id string) string {
	return "/" + langOf(c) + "/console/apps/" + id
}

func (s *Server) consoleApp(c echo.Context) error {
	return s.renderConsoleApp(c, http.StatusOK, &appData{})
}

func (s *Server) renderConsoleApp(c echo.Context, status int, d *appData) error {
	ctx := c.Request().Context()
	id := c.Param("app")
	app, err := s.cfg.Console.App(ctx, id)
	if err != nil {
		return err
	}
	d.App, d.Staff = app, viewerStaff(c)
	if d.Team, err = s.cfg.Console.Team(ctx, app.TeamID); err != nil {
		return err
	}
	if d.APIKeys, err = s.cfg.Console.APIKeys(ctx, id); err != nil {
		return err
	}
	if d.CertOverlap, err = s.cfg.Console.CertificateOverlap(ctx, id); err != nil {
		return err
	}
	if d.Can(string(console.ActTransferApp)) {
		teams, err := s.cfg.Console.Teams(ctx)
		if err != nil {
			return err
		}
		for _, t := range teams {
			if t.Role == console.RoleOwner && t.ID != app.TeamID {
				d.TransferTeams = append(d.TransferTeams, t)
			}
		}
	}
	d.Limits = limitRows(s.cfg.EngineLimits, app.Limits)
	d.DeleteGrace = s.cfg.Console.DeleteGrace()
	loc := s.localizer(langOf(c))
	for _, o := range []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		label := loc.T("console.cred.overlap_none")
		if o > 0 {
			label = loc.Duration(o)
		}
		d.Overlaps = append(d.Overlaps, overlapChoice{o, label})
	}
	for _, o := range []time.Duration{10 * time.Minute, time.Hour, 24 * time.Hour} {
		d.TTLs = append(d.TTLs, overlapChoice{o, loc.Duration(o)})
	}
	v := s.consoleView(c, "/console/apps/"+id, "console.app.title", "Name", app.Name)
	v.Data = d
	return s.render(c, status, "console/app", v)
}

// appFormResult re-renders the app page after a form: with the form's
// error message if the reader can fix it, or the error itself.
func (s *Server) appFormResult(c echo.Context, d *appData, err error) error {
	if status, msg, ok := s.consoleFormError(c, err); ok {
		d.Error = msg
		return s.renderConsoleApp(c, status, d)
	}
	if err != nil {
		return err
	}
	return s.renderConsoleApp(c, http.StatusOK, d)
}

// formDuration reads a duration form field given in seconds.
func formDuration(c echo.Context, name string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
	if err != nil {
		return -1 // the domain refuses it with its own message
	}
	return time.Duration(n) * time.Second
}

func (s *Server) consoleCreateApp(c echo.Context) error {
	ctx := c.Request().Context()
	team := formInt(c, "team")
	app, ea, err := s.cfg.Console.CreateApp(ctx, console.NewApp{TeamID: team, Name: c.FormValue("name"), Env: console.Env(c.FormValue("env"))})
	if status, msg, ok := s.consoleFormError(c, err); ok {
		if c.FormValue("from") == "team" {
			c.SetParamNames("lang", "team")
			c.SetParamValues(langOf(c), c.FormValue("team"))
			return s.renderConsoleTeam(c, status, msg)
		}
		return s.renderConsoleHome(c, status, msg)
	}
	if err != nil {
		return err
	}
	c.SetParamNames("lang", "app")
	c.SetParamValues(langOf(c), app.ID)
	return s.renderConsoleApp(c, http.StatusCreated, &appData{Created: true, Certificate: ea.Certificate, NewAPIKey: ea.APIKey})
}

// consoleCertificate reveals (action=reveal) or rotates (action=rotate,
// overlap in seconds) the App Certificate.
func (s *Server) consoleCertificate(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("app")
	d := &appData{}
	var err error
	if c.FormValue("action") == "rotate" {
		d.Certificate, err = s.cfg.Console.RotateCertificate(ctx, id, formDuration(c, "overlap"))
		if err == nil {
			d.Notice = s.localizer(langOf(c)).T("console.cred.cert_rotated")
		}
	} else {
		d.Certificate, err = s.cfg.Console.Certificate(ctx, id)
	}
	return s.appFormResult(c, d, err)
}

func (s *Server) consoleRotateAPIKey(c echo.Context) error {
	d := &appData{}
	var err error
	d.NewAPIKey, err = s.cfg.Console.RotateAPIKey(c.Request().Context(), c.Param("app"), formDuration(c, "overlap"))
	return s.appFormResult(c, d, err)
}

// consoleToken mints a test token on the server: the certificate never
// goes to the browser.
func (s *Server) consoleToken(c echo.Context) error {
	d := &appData{TokenUser: c.FormValue("user")}
	var err error
	d.Token, err = s.cfg.Console.MintToken(c.Request().Context(), c.Param("app"), console.TestToken{
		UserID: d.TokenUser, TTL: formDuration(c, "ttl"),
		Subscribe: console.ParsePatterns(c.FormValue("subscribe")), Publish: console.ParsePatterns(c.FormValue("publish")),
	})
	return s.appFormResult(c, d, err)
}

func (s *Server) consoleRenameApp(c echo.Context) error {
	err := s.cfg.Console.RenameApp(c.Request().Context(), c.Param("app"), c.FormValue("name"))
	if err != nil {
		return s.appFormResult(c, &appData{}, err)
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, c.Param("app")))
}

// consoleDeleteApp schedules the deletion; the reader confirms by typing
// the app's name.
func (s *Server) consoleDeleteApp(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("app")
	app, err := s.cfg.Console.App(ctx, id)
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.FormValue("confirm")) != app.Name {
		d := &appData{Error: s.localizer(langOf(c)).T("console.app.delete_confirm_mismatch")}
		return s.renderConsoleApp(c, http.StatusBadRequest, d)
	}
	if _, err := s.cfg.Console.ScheduleDelete(ctx, id); err != nil {
		return s.appFormResult(c, &appData{}, err)
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, id))
}

func (s *Server) consoleRestoreApp(c echo.Context) error {
	if err := s.cfg.Console.CancelDelete(c.Request().Context(), c.Param("app")); err != nil {
		return s.appFormResult(c, &appData{}, err)
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, c.Param("app")))
}

func (s *Server) consoleTransferApp(c echo.Context) error {
	if err := s.cfg.Console.TransferApp(c.Request().Context(), c.Param("app"), formInt(c, "team")); err != nil {
		return s.appFormResult(c, &appData{}, err)
	}
	return c.Redirect(http.StatusSeeOther, s.appURL(c, c.Param("app")))
}
