package portal

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/status"
)

// Incidents: anyone may read them; only staff (the forum's team roles:
// staff, moderator, admin) may post one or add an update. The forms hide
// nothing that matters: every POST checks the role again here.

var errStatusStaffOnly = newUserError(http.StatusForbidden, "status.error.staff_only")

// isStaff reports whether the signed-in user may post incidents.
func (s *Server) isStaff(c echo.Context) bool {
	u := viewer(c)
	return u != nil && u.Role.Team() && !u.Suspended(s.cfg.Now())
}

// requireStaff returns the signed-in staff member. An anonymous visitor is
// redirected to the login form (u is nil and err is the redirect's
// result); a signed-in non-staff user gets a 403.
func (s *Server) requireStaff(c echo.Context) (u *forum.User, err error) {
	if s.cfg.Forum == nil {
		return nil, errNotFound // no accounts, so no staff
	}
	if u = viewer(c); u == nil {
		return nil, c.Redirect(http.StatusSeeOther, loginURL(langOf(c), returnPath(c)))
	}
	if !s.isStaff(c) {
		return nil, errStatusStaffOnly
	}
	return u, nil
}

// incidentForm is the new-incident form as submitted, kept when it is
// shown again with an error.
type incidentForm struct {
	Title      string
	Severity   string
	Components map[string]bool
	StartedAt  string
	Status     string
	Message    string
	Error      string

	Severities  []statusOption
	AllComps    []statusOption
	Statuses    []statusOption
	MaxTitle    int
	MaxMessage  int
	IncidentURL string // set on the update form
}

type statusOption struct{ Value, Label string }

func (s *Server) incidentOptions(loc *localizer, f *incidentForm) {
	for _, sv := range []status.Severity{status.SeverityMinor, status.SeverityMajor, status.SeverityCritical} {
		f.Severities = append(f.Severities, statusOption{string(sv), loc.T("status.severity_" + string(sv))})
	}
	for _, c := range status.MeasuredComponents() {
		f.AllComps = append(f.AllComps, statusOption{string(c), componentName(loc, c)})
	}
	for _, st := range []status.IncidentStatus{status.Investigating, status.Identified, status.Monitoring, status.Resolved} {
		f.Statuses = append(f.Statuses, statusOption{string(st), loc.T("status.incident_" + string(st))})
	}
	f.MaxTitle, f.MaxMessage = status.MaxTitleRunes, status.MaxMessageRunes
}

func (s *Server) newIncidentForm(c echo.Context) error {
	if u, err := s.requireStaff(c); u == nil {
		return err
	}
	return s.renderIncidentForm(c, http.StatusOK, &incidentForm{Severity: string(status.SeverityMinor),
		Status: string(status.Investigating), Components: map[string]bool{}})
}

func (s *Server) renderIncidentForm(c echo.Context, code int, f *incidentForm) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/status/incidents/new")
	v.Title, v.Section, v.NoIndex = v.T("status.new_title"), "status", true
	s.incidentOptions(v.localizer, f)
	v.Data = f
	return s.render(c, code, "status/new", v)
}

// createIncident posts an incident with its first update, then shows it.
func (s *Server) createIncident(c echo.Context) error {
	u, err := s.requireStaff(c)
	if u == nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return errBadRequest
	}
	f := &incidentForm{Title: form.Get("title"), Severity: form.Get("severity"), StartedAt: form.Get("started_at"),
		Status: form.Get("status"), Message: form.Get("message"), Components: map[string]bool{}}
	in := status.NewIncident{Title: f.Title, Severity: status.Severity(f.Severity),
		Update: status.NewUpdate{Status: status.IncidentStatus(f.Status), Message: f.Message, AuthorID: u.ID, AuthorName: u.Name}}
	for _, comp := range form["components"] {
		f.Components[comp] = true
		in.Components = append(in.Components, status.Component(comp))
	}
	var inc status.Incident
	if in.StartedAt, err = parseStartedAt(f.StartedAt); err == nil {
		inc, err = s.cfg.Status.CreateIncident(c.Request().Context(), in)
	}
	if errors.Is(err, status.ErrInvalid) {
		_, msgID, args := classify(err)
		f.Error = s.localizer(langOf(c)).T(msgID, args...)
		return s.renderIncidentForm(c, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	s.invalidateStatus()
	return c.Redirect(http.StatusSeeOther, incidentURL(langOf(c), inc.ID))
}

// startedAtLayouts are the accepted start times, read as UTC: what
// <input type="datetime-local"> sends, with or without seconds, and RFC
// 3339 with an explicit offset.
var startedAtLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339}

// parseStartedAt reads the start time field; empty means now (zero).
func parseStartedAt(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, l := range startedAtLayouts {
		if t, err := time.ParseInLocation(l, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &status.ValidationError{Field: "started_at", Reason: "not a date and time: " + v}
}

// incidentPageData is an incident with, for staff, the update form.
type incidentPageData struct {
	Incident incidentView
	Staff    bool
	Form     *incidentForm
}

// incidentRedirect sends the language-neutral incident address (the
// feed's entry IDs) to the reader's language.
func (s *Server) incidentRedirect(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, incidentURL(preferredLang(c.Request()), id))
}

func (s *Server) incidentPage(c echo.Context) error {
	return s.renderIncident(c, http.StatusOK, nil)
}

func (s *Server) renderIncident(c echo.Context, code int, f *incidentForm) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, err := s.cfg.Status.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, strings.TrimPrefix(incidentURL(lang, id), "/"+lang))
	v.Title, v.Section, v.FeedURL = in.Title, "status", statusFeedURL(lang)
	d := &incidentPageData{Incident: buildIncidentView(v.localizer, lang, v.Date, &in), Staff: s.isStaff(c)}
	if d.Staff {
		if f == nil {
			f = &incidentForm{Status: string(in.Status)}
		}
		s.incidentOptions(v.localizer, f)
		d.Form = f
	}
	v.Data = d
	return s.render(c, code, "status/incident", v)
}

// addIncidentUpdate adds a status update to an incident.
func (s *Server) addIncidentUpdate(c echo.Context) error {
	u, err := s.requireStaff(c)
	if u == nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f := &incidentForm{Status: c.FormValue("status"), Message: c.FormValue("message")}
	_, err = s.cfg.Status.AddIncidentUpdate(c.Request().Context(), id, status.NewUpdate{
		Status: status.IncidentStatus(f.Status), Message: f.Message, AuthorID: u.ID, AuthorName: u.Name})
	if errors.Is(err, status.ErrInvalid) {
		_, msgID, args := classify(err)
		f.Error = s.localizer(langOf(c)).T(msgID, args...)
		return s.renderIncident(c, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	s.invalidateStatus()
	return c.Redirect(http.StatusSeeOther, incidentURL(langOf(c), id))
}
