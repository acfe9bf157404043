package portal

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/sla"
)

// maxCalendarUpload is the size from which an upload is not even read.
const maxCalendarUpload = 1 << 20

// calendarsJSON serves GET /api/sla/calendars: the holiday calendars the
// response-time clock uses and the years it lacks.
func (s *Server) calendarsJSON(c echo.Context) error {
	return c.JSON(http.StatusOK, s.cfg.SLA.CalendarStatus())
}

// calendarBanner is what the "sla_calendar_banner" partial shows on the
// admin pages and the public dashboard.
type calendarBanner struct {
	Covered    string // "China: 2025, 2026, 2027"
	Missing    string // "2028", "" when nothing is missing
	Recomputed string // when stored results were last recomputed, "" if never
	Running    string // progress of a running recompute, "" if none
}

// CalendarBanner describes the calendars for the page's reader.
func (v *view) CalendarBanner() *calendarBanner {
	if !v.SLAEnabled() {
		return nil
	}
	x := v.srv.cfg.SLA
	st := x.CalendarStatus()
	b := &calendarBanner{}
	var covered []string
	for _, cal := range st.Calendars {
		years := make([]string, len(cal.Years))
		for i, y := range cal.Years {
			years[i] = strconv.Itoa(y)
		}
		covered = append(covered, v.T("support.calendar.region_years", "Region", v.T("support.calendar.region."+cal.ID), "Years", strings.Join(years, ", ")))
	}
	b.Covered = strings.Join(covered, "; ")
	missing := make([]string, len(st.MissingYears))
	for i, y := range st.MissingYears {
		missing[i] = strconv.Itoa(y)
	}
	b.Missing = strings.Join(missing, ", ")
	if rc, ok, err := x.LastRecompute(v.ctx); err == nil && ok {
		if rc.Running {
			b.Running = v.T("support.calendar.recompute_running", "Reason", rc.Reason, "Done", rc.Done, "Total", rc.Total)
		} else {
			b.Recomputed = v.T("support.calendar.recomputed", "Date", v.Date(rc.FinishedAt), "Reason", rc.Reason, "Count", rc.Changed, "Total", rc.Total)
		}
	}
	return b
}

// calendarRow is one year of the admin Calendars page.
type calendarRow struct {
	Region, Year, Source string
	Holidays, Off, Work  int
}

// slaCalendars lists the calendars for admins (the route allows admins
// only), with the upload form and the progress of a recompute.
func (s *Server) slaCalendars(c echo.Context) error {
	return s.renderCalendars(c, http.StatusOK, "")
}

func (s *Server) renderCalendars(c echo.Context, status int, errMsg string) error {
	lang := langOf(c)
	sched := s.cfg.SLA.Schedule()
	var rows []calendarRow
	if cal := sched.Calendar(); cal != nil {
		for _, y := range cal.Years() {
			f, _ := cal.Year(y)
			r := calendarRow{Region: cal.Region(), Year: strconv.Itoa(y), Source: f.Source, Holidays: len(f.Holidays)}
			for _, h := range f.Holidays {
				r.Off += len(h.Off)
				r.Work += len(h.Work)
			}
			rows = append(rows, r)
		}
	}
	v := s.newView(c, lang, "/admin/sla/calendars")
	v.Section, v.NoIndex = "forum", true
	v.Title = v.T("support.calendar.title")
	rc, _, err := s.cfg.SLA.LastRecompute(c.Request().Context())
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": rows, "Error": errMsg, "Installed": c.QueryParam("installed"), "Running": rc.Running,
		"MaxKB": sla.MaxCalendarFileSize >> 10}
	return s.render(c, status, "sla/calendars", v)
}

// uploadCalendar installs an uploaded year file.
func (s *Server) uploadCalendar(c echo.Context) error {
	loc := s.localizer(langOf(c))
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderCalendars(c, http.StatusBadRequest, loc.T("support.calendar.no_file"))
	}
	// A file far over the limit is refused without reading it; one a little
	// over reaches the parser, which names the limit.
	if fh.Size > maxCalendarUpload {
		return s.renderCalendars(c, http.StatusRequestEntityTooLarge, loc.T("support.calendar.too_large", "Max", sla.MaxCalendarFileSize>>10))
	}
	f, err := fh.Open()
	if err != nil {
		return s.renderCalendars(c, http.StatusBadRequest, loc.T("support.calendar.no_file"))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sla.MaxCalendarFileSize+1))
	if err != nil {
		return s.renderCalendars(c, http.StatusBadRequest, loc.T("support.calendar.no_file"))
	}
	yf, err := s.cfg.SLA.InstallCalendarYear(c.Request().Context(), data)
	if err != nil {
		status, msg, ok := formError(c, loc, err)
		if !ok {
			return err
		}
		return s.renderCalendars(c, status, msg)
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin/sla/calendars?installed="+yf.Region+"-"+strconv.Itoa(yf.Year))
}
