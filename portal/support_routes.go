package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
	"github.com/switchboard-rtm/switchboard/usage"
)

// Private support: the customer's page (plans, their tickets, the form),
// one ticket's page and its actions. support.Service checks every read and
// write (support.Can); a ticket the visitor may not see answers 404.

func (s *Server) registerSupportRoutes() {
	if s.cfg.Forum == nil || s.cfg.Support == nil {
		return
	}
	g := s.echo.Group("/:lang/support", validLang, s.forumErrors)
	g.GET("", s.supportPage)
	g.POST("/tickets", s.openTicket)
	g.POST("/events", s.registerEvent)
	g.GET("/tickets/:id", s.ticketPage)
	g.GET("/tickets/:id/diagnostics.json", s.ticketDiagnostics)
	g.POST("/tickets/:id/reply", s.ticketReply)
	g.POST("/tickets/:id/:action", s.ticketAction)
	a := s.echo.Group("/:lang/admin", validLang, s.forumErrors)
	a.GET("/plans", s.adminPlans, s.allow(forum.ActionEditCategory))
	a.POST("/plans", s.adminCreatePlan, s.allow(forum.ActionEditCategory))
	a.POST("/plans/assign", s.adminAssignPlan, s.allow(forum.ActionEditCategory))
	a.POST("/plans/:plan/engineer", s.adminPlanEngineer, s.allow(forum.ActionEditCategory))
	a.POST("/plans/:plan/targets", s.adminPlanTargets, s.allow(forum.ActionEditCategory))
}

// teamPlan is one of the viewer's teams with its plan.
type teamPlan struct {
	Team support.Team
	Plan *support.Plan
	Apps []support.App // the team's console apps, for the ticket form
}

type supportData struct {
	Plans      []*support.Plan
	Teams      []teamPlan
	Tickets    []*support.Ticket
	Priorities []support.Priority
	Urgent     bool // some team of the viewer may choose urgent
	Apps       bool // some team of the viewer has console apps
	Form       support.NewTicket
	Error      string
	Targets    func(p *support.Plan, pr support.Priority) string
	Next       func(p *support.Plan, pr support.Priority) string // "" when it equals the first-response target
	Presales   string                                            // the pre-sales target, formatted
	Events     []support.Event
}

func (s *Server) supportPage(c echo.Context) error {
	return s.renderSupport(c, http.StatusOK, &supportData{})
}

func (s *Server) renderSupport(c echo.Context, status int, d *supportData) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	v := s.newView(c, lang, "/support")
	v.Title, v.Section = v.T("tickets.title"), "support"
	plans, err := s.cfg.Support.Plans(ctx)
	if err != nil {
		return err
	}
	d.Plans, d.Priorities = plans, support.Priorities
	d.Targets = func(p *support.Plan, pr support.Priority) string {
		if t, ok := p.Targets[pr]; ok {
			return v.slaTarget(t)
		}
		return ""
	}
	d.Next = func(p *support.Plan, pr support.Priority) string {
		if t, ok := p.Next[pr]; ok && t != p.Targets[pr] {
			return v.slaTarget(t)
		}
		return ""
	}
	d.Presales = v.slaTarget(s.cfg.Support.Presales())
	if u := forum.UserFromContext(ctx); u != nil {
		teams, err := s.cfg.Support.Teams(ctx)
		if err != nil {
			return err
		}
		for _, tm := range teams {
			p, err := s.cfg.Support.TeamPlan(ctx, tm.ID)
			if err != nil {
				return err
			}
			apps, err := s.cfg.Support.TeamApps(ctx, tm.ID)
			if err != nil {
				return err
			}
			d.Teams = append(d.Teams, teamPlan{Team: tm, Plan: p, Apps: apps})
			d.Apps = d.Apps || len(apps) > 0
			d.Urgent = d.Urgent || p.Urgent
		}
		if d.Tickets, err = s.cfg.Support.List(ctx); err != nil {
			return err
		}
		if d.Events, err = s.cfg.Support.Events(ctx); err != nil {
			return err
		}
	}
	v.Data = d
	return s.render(c, status, "support/index", v)
}

func (s *Server) openTicket(c echo.Context) error {
	ctx := c.Request().Context()
	team, _ := strconv.ParseInt(c.FormValue("team"), 10, 64)
	in := support.NewTicket{TeamID: team, Kind: c.FormValue("kind"), Subject: c.FormValue("subject"), Body: c.FormValue("body"),
		Priority: support.Priority(c.FormValue("priority")), Impact: c.FormValue("impact"), AppID: c.FormValue("app"),
		Diagnostics: c.FormValue("diagnostics") == "1"}
	t, err := s.cfg.Support.Open(ctx, in)
	if err != nil {
		if status, msg, ok := supportFormError(s.localizer(langOf(c)), err); ok {
			return s.renderSupport(c, status, &supportData{Form: in, Error: msg})
		}
		return err
	}
	s.mailTicket(ctx, c, t, "ticket_created", t.OpenedBy)
	return c.Redirect(http.StatusSeeOther, ticketPath(langOf(c), t.ID))
}

// registerEvent registers a Premium team's launch or live event; the
// window is entered in UTC.
func (s *Server) registerEvent(c echo.Context) error {
	team, _ := strconv.ParseInt(c.FormValue("team"), 10, 64)
	start, _ := time.ParseInLocation("2006-01-02T15:04", c.FormValue("start"), time.UTC)
	end, _ := time.ParseInLocation("2006-01-02T15:04", c.FormValue("end"), time.UTC)
	conns, _ := strconv.ParseInt(c.FormValue("peak_conns"), 10, 64)
	msgs, _ := strconv.ParseInt(c.FormValue("peak_msgs"), 10, 64)
	_, err := s.cfg.Support.RegisterEvent(c.Request().Context(), support.NewEvent{TeamID: team, Name: c.FormValue("name"),
		Start: start, End: end, PeakConns: conns, PeakMsgs: msgs})
	if err != nil {
		if status, msg, ok := supportFormError(s.localizer(langOf(c)), err); ok {
			return s.renderSupport(c, status, &supportData{Error: msg})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/support#events")
}

func ticketPath(lang string, id int64) string {
	return "/" + lang + "/support/tickets/" + strconv.FormatInt(id, 10)
}

// supportFormError turns a support validation or policy error into the
// form's message; ok is false for anything else.
func supportFormError(loc *localizer, err error) (int, string, bool) {
	var e *support.Error
	if !errors.As(err, &e) {
		return 0, "", false
	}
	status, msgID, args := classify(err)
	return status, loc.T(msgID, args...), true
}

// ticketMessage is a message with its author's name.
type ticketMessage struct {
	support.Message
	Author string
}

func (s *Server) ticketPage(c echo.Context) error {
	return s.renderTicket(c, http.StatusOK, "")
}

func (s *Server) renderTicket(c echo.Context, status int, formErr string) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, msgs, err := s.cfg.Support.Ticket(ctx, id)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/support/tickets/"+c.Param("id"))
	v.NoIndex, v.Section = true, "support"
	v.Title = t.Subject
	name := s.userNames(ctx)
	out := make([]ticketMessage, len(msgs))
	for i, m := range msgs {
		out[i] = ticketMessage{Message: m, Author: name(m.AuthorID)}
	}
	plan, err := s.cfg.Support.Plan(ctx, t.PlanID)
	if err != nil {
		return err
	}
	lines := ticketLines(v, t, s.cfg.Now())
	diag, err := s.cfg.Support.Diagnostics(ctx, id)
	if err != nil {
		return err
	}
	u := forum.UserFromContext(ctx)
	v.Data = map[string]any{"Ticket": t, "Messages": out, "Plan": plan, "Lines": lines, "Assignee": name(t.AssigneeID),
		"Staff": u != nil && u.Role.Team(), "Error": formErr, "Diagnostics": diag, "DiagnosticsCodes": diagnosticsCodes(diag)}
	c.Response().Header().Set("Cache-Control", "no-store") // private
	return s.render(c, status, "support/ticket", v)
}

// ticketDiagnostics downloads the diagnostics attached to a ticket as
// JSON: for the team and staff only (404 for anyone else, and when none
// were attached).
func (s *Server) ticketDiagnostics(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.cfg.Support.Diagnostics(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if d == nil {
		return errNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="ticket-`+strconv.FormatInt(id, 10)+`-diagnostics.json"`)
	return c.JSON(http.StatusOK, d)
}

// diagnosticsCode is one row of the diagnostics' by-code tables.
type diagnosticsCode struct {
	Kind, Code string // Kind: "error" or "disconnect"
	N          int64
}

func diagnosticsCodes(d *support.Diagnostics) []diagnosticsCode {
	if d == nil {
		return nil
	}
	var out []diagnosticsCode
	for _, k := range usage.Keys(d.ErrorsByCode) {
		out = append(out, diagnosticsCode{Kind: "error", Code: k, N: d.ErrorsByCode[k]})
	}
	for _, k := range usage.Keys(d.Disconnects) {
		out = append(out, diagnosticsCode{Kind: "disconnect", Code: k, N: d.Disconnects[k]})
	}
	return out
}

// ticketLines are a ticket's response lines, exactly as a forum topic's:
// the first response, and the awaited next response once the customer
// wrote after staff's last reply.
func ticketLines(v *view, t *support.Ticket, now time.Time) []slaLine {
	var out []slaLine
	if !t.Target.IsZero() {
		if l, ok := v.slaClockLine(forum.ResponseClock{Start: t.CreatedAt, At: t.RespondedAt, Status: t.Clock}, t.Target,
			t.Awaiting() == "first", "first", now, v.Date); ok {
			out = append(out, l)
		}
	}
	if t.Awaiting() == "next" && !t.NextTarget.IsZero() {
		if l, ok := v.slaClockLine(forum.ResponseClock{Start: t.AwaitingSince, Status: t.NextClock}, t.NextTarget, true, "next", now, v.Date); ok {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) ticketReply(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	body := c.FormValue("body")
	var t *support.Ticket
	if c.FormValue("note") == "1" {
		err = s.cfg.Support.Note(ctx, id, body)
	} else {
		t, err = s.cfg.Support.Reply(ctx, id, body)
	}
	if err != nil {
		if status, msg, ok := supportFormError(s.localizer(langOf(c)), err); ok {
			return s.renderTicket(c, status, msg)
		}
		return err
	}
	if t != nil {
		u := forum.UserFromContext(ctx)
		if u.Role.Team() {
			s.mailTicket(ctx, c, t, "ticket_replied", t.OpenedBy)
		} else if t.AssigneeID != 0 {
			s.mailTicket(ctx, c, t, "ticket_replied", t.AssigneeID)
		}
		if t.ID != id { // a follow-up
			return c.Redirect(http.StatusSeeOther, ticketPath(langOf(c), t.ID))
		}
	}
	return c.Redirect(http.StatusSeeOther, ticketPath(langOf(c), id))
}

// ticketAction runs one of the ticket's buttons.
func (s *Server) ticketAction(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := forum.UserFromContext(ctx)
	switch c.Param("action") {
	case "solve":
		if err = s.cfg.Support.Solve(ctx, id); err == nil {
			if t, _, err := s.cfg.Support.Ticket(ctx, id); err == nil {
				s.mailTicket(ctx, c, t, "ticket_solved", t.OpenedBy)
			}
		}
	case "escalate":
		_, err = s.cfg.Support.Escalate(ctx, id)
	case "wait":
		err = s.cfg.Support.Wait(ctx, id)
	case "claim":
		err = s.cfg.Support.Assign(ctx, id, userID(u))
	case "unclaim":
		err = s.cfg.Support.Assign(ctx, id, 0)
	case "assign":
		err = s.cfg.Support.Assign(ctx, id, formInt(c, "assignee"))
	case "second-line":
		err = s.cfg.Support.SecondLine(ctx, id)
	case "close":
		err = s.cfg.Support.Close(ctx, id)
	default:
		return errNotFound
	}
	if err != nil {
		if status, msg, ok := supportFormError(s.localizer(langOf(c)), err); ok {
			return s.renderTicket(c, status, msg)
		}
		return err
	}
	if c.FormValue("back") != "" { // from the staff queue
		return s.backToQueue(c)
	}
	return c.Redirect(http.StatusSeeOther, ticketPath(langOf(c), id))
}

func userID(u *forum.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// queueTicket is one ticket of the staff queue.
type queueTicket struct {
	*support.Ticket
	PlanName, Assignee, Engineer string
	Line                         slaLine
	Next                         bool // a next response is awaited
}

// queueTickets are the staff queue's tickets of plan ("" every plan), most
// urgent first, and the plans for its filter; nil without support.
func (s *Server) queueTickets(c echo.Context, v *view, plan string, now time.Time) ([]queueTicket, []*support.Plan, error) {
	if s.cfg.Support == nil {
		return nil, nil, nil
	}
	ctx := c.Request().Context()
	plans, err := s.cfg.Support.Plans(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*support.Plan{}
	for _, p := range plans {
		byID[p.ID] = p
	}
	ts, err := s.cfg.Support.Queue(ctx, plan)
	if err != nil {
		return nil, nil, err
	}
	name := s.userNames(ctx)
	out := make([]queueTicket, len(ts))
	for i, t := range ts {
		q := queueTicket{Ticket: t, Assignee: name(t.AssigneeID), Next: t.Awaiting() == "next"}
		if p := byID[t.PlanID]; p != nil {
			q.PlanName, q.Engineer = p.Name(v.Lang), name(p.EngineerID)
		}
		if start, st, target, ok := t.AwaitedClock(); ok && !target.IsZero() {
			which := "first"
			if q.Next {
				which = "next"
			}
			q.Line, _ = v.slaClockLine(forum.ResponseClock{Start: start, Status: st}, target, true, which, now, v.Date)
		} else if !t.Target.IsZero() {
			q.Line, _ = v.slaClockLine(forum.ResponseClock{Start: t.CreatedAt, At: t.RespondedAt, Status: t.Clock}, t.Target, false, "first", now, v.Date)
		}
		out[i] = q
	}
	return out, plans, nil
}

// queueEvents are the upcoming events for the staff queue's calendar; nil
// without support or on an error (logged: the queue still shows).
func (s *Server) queueEvents(c echo.Context) []support.Event {
	if s.cfg.Support == nil {
		return nil
	}
	evs, err := s.cfg.Support.Events(c.Request().Context())
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "queue events", "err", err)
		return nil
	}
	return evs
}

// userNames returns a lookup of users' display names for one page, each
// user read once: "" for no user, "#ID" for one that cannot be found.
func (s *Server) userNames(ctx context.Context) func(uid int64) string {
	names := map[int64]string{}
	return func(uid int64) string {
		if uid == 0 {
			return ""
		}
		if n, ok := names[uid]; ok {
			return n
		}
		n := "#" + strconv.FormatInt(uid, 10)
		if u, err := s.cfg.Forum.FindUser(ctx, uid); err == nil {
			n = u.Name
		}
		names[uid] = n
		return n
	}
}
