package portal

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// Every time on a page is shown in the reader's time zone, with the zone
// named; <time datetime> stays in UTC. The zone is the signed-in user's
// choice (Settings), or else their language's default (China Standard
// Time for Chinese, UTC for English); anonymous readers get the default of
// the page's language. view.Date is the one helper templates and page
// code call.

// defaultZone is the zone of readers who have not chosen one.
func defaultZone(lang string) *time.Location {
	if lang == "zh" {
		if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
			return loc
		}
	}
	return time.UTC
}

// zoneChoices are the zones the settings page offers; any IANA name is
// accepted from a form.
var zoneChoices = []string{"UTC", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
	"Asia/Kolkata", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney"}

// Zone is the reader's time zone, looked up once per page.
func (v *view) Zone() *time.Location {
	if v.tz != nil {
		return v.tz
	}
	v.tz = defaultZone(v.Lang)
	if u := v.Viewer(); u != nil && v.srv != nil && v.srv.cfg.Forum != nil {
		v.tz = defaultZone(u.Lang)
		if name, err := v.srv.cfg.Forum.TimeZone(v.ctx, u.ID); err == nil && name != "" {
			if loc, err := time.LoadLocation(name); err == nil {
				v.tz = loc
			}
		}
	}
	return v.tz
}

// Date formats a time in the reader's zone and names the zone:
// "Mar 2, 2026 17:00 CST", "2026年3月2日 17:00 CST".
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(v.Zone())
	if v.Lang == "zh" {
		return t.Format("2006年1月2日 15:04 MST")
	}
	return t.Format("Jan 2, 2006 15:04 MST")
}

// timeLabel is a time ready for <time datetime="{{.ISO}}">{{.Text}}</time>.
type timeLabel struct{ ISO, Text string }

func (v *view) timeLabel(t time.Time) timeLabel {
	return timeLabel{ISO: t.UTC().Format(time.RFC3339), Text: v.Date(t)}
}

// ZoneName is the IANA name of the reader's zone, for the settings page.
func (v *view) ZoneName() string { return v.Zone().String() }

// settingsPage shows the signed-in reader's settings: their time zone.
func (s *Server) settingsPage(c echo.Context) error {
	u := viewer(c)
	if u == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	chosen, err := s.cfg.Forum.TimeZone(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.renderSettings(c, http.StatusOK, chosen, "")
}

func (s *Server) renderSettings(c echo.Context, status int, chosen, errMsg string) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/settings")
	v.Section, v.NoIndex = "forum", true
	v.Title = v.T("support.settings.title")
	def := defaultZone(lang)
	if u := viewer(c); u != nil {
		def = defaultZone(u.Lang)
	}
	email, err := s.emailMode(c)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Chosen": chosen, "Zones": zoneChoices, "Default": def.String(),
		"Saved": c.QueryParam("saved") != "", "Error": errMsg, "Sample": v.Date(s.cfg.Now()), "Email": email, "Digest": s.cfg.Notify != nil}
	return s.render(c, status, "account/settings", v)
}

func (s *Server) saveSettings(c echo.Context) error {
	if viewer(c) == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	tz := c.FormValue("time_zone")
	if err := s.cfg.Forum.SetTimeZone(c.Request().Context(), tz); err != nil {
		status, msg, ok := formError(c, s.localizer(langOf(c)), err)
		if !ok {
			return err
		}
		return s.renderSettings(c, status, tz, msg)
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/settings?saved=1")
}
