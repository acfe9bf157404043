package portal

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
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
		g.POST("/settings/email", s.saveEmailMode)
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
	plan := c.QueryParam("plan")
	if plan != "" && plan != queuePlanForum {
		rows = nil // a plan's tickets only
	}
	var tickets []queueTicket
	var plans []*support.Plan
	if plan == queuePlanForum || plan == "" && (f.Category != "" || f.Lang != "" || f.Tag != "") {
		// Forum topics only: tickets have no category, language or tag.
		if _, plans, err = s.queueTickets(c, v, queuePlanNone, now); err != nil {
			return err
		}
	} else if tickets, plans, err = s.queueTickets(c, v, plan, now); err != nil {
		return err
	}
	v.Data = map[string]any{"Entries": mergeQueue(rows, tickets), "Filter": f, "Categories": cats, "Formats": v.slaCountdownFormats(), "Team": team,
		"Plans": plans, "Plan": plan, "Events": s.queueEvents(c), "Tickets": s.cfg.Support != nil,
		"Back": c.Request().URL.RequestURI(), "Priorities": []forum.Priority{forum.PriorityNormal, forum.PriorityHigh, forum.PriorityUrgent}}
	return s.render(c, http.StatusOK, "sla/queue", v)
}

// The queue's plan filter: "" shows forum topics and every plan's
// tickets; queuePlanForum forum topics only; a plan ID that plan's tickets
// only.
const (
	queuePlanForum = "forum"
	queuePlanNone  = "\x00none" // no plan has this ID: no tickets
)

// queueEntry is one row of the staff queue: a forum topic or a ticket.
type queueEntry struct {
	Topic  *queueRow
	Ticket *queueTicket
	due    time.Time // zero: not counting down (paused, or no target)
	since  time.Time
}

// mergeQueue puts forum topics and tickets into one list sorted by time
// to breach: the soonest due first (breached ones are due in the past),
// then those not counting down, the longest waiting first.
func mergeQueue(rows []queueRow, tickets []queueTicket) []queueEntry {
	out := make([]queueEntry, 0, len(rows)+len(tickets))
	for i := range rows {
		r := &rows[i]
		e := queueEntry{Topic: r, since: r.Clock.Start}
		if !r.Clock.Status.Paused {
			e.due = r.Clock.Status.Due
		}
		out = append(out, e)
	}
	for i := range tickets {
		t := &tickets[i]
		start, _, _, _ := t.AwaitedClock()
		if start.IsZero() {
			start = t.CreatedAt
		}
		out = append(out, queueEntry{Ticket: t, due: t.Due(), since: start})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.due.IsZero() != b.due.IsZero() {
			return !a.due.IsZero()
		}
		if !a.due.Equal(b.due) {
			return a.due.Before(b.due)
		}
		return a.since.Before(b.since)
	})
	return out
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
