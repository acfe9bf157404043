package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// registerSLARoutes serves the staff queue, the public response-time
// dashboard with its CSV and JSON, and the SLA policies admin page.
// Authorization is the forum's: every page and action asks forum.SLA or
// forum.Store, which check the user in the request context.
func (s *Server) registerSLARoutes() {
	if s.cfg.Forum != nil {
		g := s.echo.Group("/:lang", validLang, s.forumErrors)
		g.GET("/settings", s.settingsPage)
		g.POST("/settings", s.saveSettings)
	}
	if s.cfg.SLA == nil || s.cfg.Forum == nil {
		return
	}
	e := s.echo
	e.GET("/api/forum/response-times", s.responseTimesJSON)
	e.GET("/api/sla/calendars", s.calendarsJSON)
	g := e.Group("/:lang", validLang, s.forumErrors)
	g.GET("/forum/queue", s.slaQueue, s.allow(forum.ActionViewQueue))
	g.POST("/forum/t/:id/still-need-help", s.stillNeedHelp)
	g.POST("/forum/queue/:id/assign", s.slaAssign, s.allow(forum.ActionAssign))
	g.POST("/forum/queue/:id/claim", s.slaClaim, s.allow(forum.ActionAssign))
	g.POST("/forum/queue/:id/waiting", s.slaWaiting, s.allow(forum.ActionSetWaiting))
	g.POST("/forum/queue/:id/priority", s.slaPriority, s.allow(forum.ActionSetPriority))
	g.GET("/community/response-times", s.responseTimes)
	g.GET("/community/response-times.csv", s.responseTimesCSV)
	g.GET("/admin/sla", s.slaPolicies, s.allow(forum.ActionEditCategory))
	g.POST("/admin/sla", s.saveSLAPolicy, s.allow(forum.ActionEditCategory))
	g.GET("/admin/sla/calendars", s.slaCalendars, s.allow(forum.ActionEditCategory))
	g.POST("/admin/sla/calendars", s.uploadCalendar, s.allow(forum.ActionEditCategory))
}

// queueRow is one topic of the staff queue page.
type queueRow struct {
	forum.QueueItem
	URL, Category string
	Line          slaLine
	Next          bool
}

func (s *Server) slaQueue(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	f := forum.QueueFilter{Category: c.QueryParam("category"), Lang: c.QueryParam("lang"), Tag: c.QueryParam("tag")}
	items, err := s.cfg.SLA.Queue(ctx, f)
	if err != nil {
		return err
	}
	cats, err := s.cfg.Forum.Categories(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, cat := range cats {
		names[cat.Slug] = cat.Name(lang)
	}
	v := s.newView(c, lang, "/forum/queue")
	v.Section, v.NoIndex = "forum", true
	v.Title = v.T("sla.queue.title")
	now := s.cfg.Now()
	team, err := s.queueTeam(c)
	if err != nil {
		return err
	}
	rows := make([]queueRow, len(items))
	for i, it := range items {
		which := "first"
		if it.Awaiting == forum.AwaitingNext {
			which = "next"
		}
		line, _ := v.slaClockLine(it.Clock, it.Target, true, which, now, v.Date)
		rows[i] = queueRow{QueueItem: it, URL: "/" + lang + "/forum/t/" + strconv.FormatInt(it.TopicID, 10), Category: names[it.CategorySlug],
			Line: line, Next: it.Awaiting == forum.AwaitingNext}
	}
	tickets, plans, err := s.queueTickets(c, v, now)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": rows, "Filter": f, "Categories": cats, "Formats": v.slaCountdownFormats(), "Team": team,
		"Tickets": tickets, "Plans": plans, "Plan": c.QueryParam("plan"), "Events": s.queueEvents(c),
		"Back": c.Request().URL.RequestURI(), "Priorities": []forum.Priority{forum.PriorityNormal, forum.PriorityHigh, forum.PriorityUrgent}}
	return s.render(c, http.StatusOK, "sla/queue", v)
}

// backToQueue redirects to the queue address the form came from.
func (s *Server) backToQueue(c echo.Context) error {
	back := "/" + langOf(c) + "/forum/queue"
	if u, err := url.Parse(c.FormValue("back")); err == nil && u.Path == back {
		back = u.RequestURI()
	}
	return c.Redirect(http.StatusSeeOther, back)
}

func (s *Server) slaClaim(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.Claim(c.Request().Context(), id); err != nil {
		return err
	}
	return s.backToQueue(c)
}

func (s *Server) slaWaiting(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.SetWaitingOnAsker(c.Request().Context(), id, c.FormValue("waiting") == "1"); err != nil {
		return err
	}
	return s.backToQueue(c)
}

func (s *Server) slaPriority(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.SetPriority(c.Request().Context(), id, forum.Priority(c.FormValue("priority"))); err != nil {
		return err
	}
	return s.backToQueue(c)
}
