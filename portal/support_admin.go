package portal

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// The plans admin page: each plan's targets and named engineer, and the
// form that gives a team a plan (as `switchboard admin plan` does).

func (s *Server) adminPlans(c echo.Context) error {
	return s.renderAdminPlans(c, http.StatusOK, "", "")
}

func (s *Server) renderAdminPlans(c echo.Context, status int, notice, formErr string) error {
	ctx := c.Request().Context()
	plans, err := s.cfg.Support.Plans(ctx)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/admin/plans")
	v.NoIndex = true
	v.Title = v.T("tickets.admin.title")
	engineers := map[string]string{}
	for _, p := range plans {
		if p.EngineerID != 0 {
			if u, err := s.cfg.Forum.FindUser(ctx, p.EngineerID); err == nil {
				engineers[p.ID] = u.Username
			}
		}
	}
	v.Data = map[string]any{"Plans": plans, "Priorities": support.Priorities, "Engineers": engineers, "Notice": notice, "Error": formErr,
		"Target": func(p *support.Plan, pr support.Priority) string {
			if t, ok := p.Targets[pr]; ok {
				return v.slaTarget(t)
			}
			return "—"
		},
		"Next": func(p *support.Plan, pr support.Priority) string {
			if t, ok := p.Next[pr]; ok {
				return v.slaTarget(t)
			}
			return "—"
		}}
	return s.render(c, status, "admin/plans", v)
}

func (s *Server) adminAssignPlan(c echo.Context) error {
	ctx := c.Request().Context()
	loc := s.localizer(langOf(c))
	name := strings.TrimSpace(c.FormValue("team"))
	team, err := s.cfg.Support.TeamByName(ctx, name)
	if err != nil {
		return s.renderAdminPlans(c, http.StatusBadRequest, "", loc.T("tickets.admin.no_team", "Team", name))
	}
	plan := c.FormValue("plan")
	if err := s.cfg.Support.AssignPlan(ctx, team.ID, plan); err != nil {
		return err
	}
	p, err := s.cfg.Support.Plan(ctx, plan)
	if err != nil {
		return err
	}
	return s.renderAdminPlans(c, http.StatusOK, loc.T("tickets.admin.assigned", "Team", team.Name, "Plan", p.Name(langOf(c))), "")
}

func (s *Server) adminPlanEngineer(c echo.Context) error {
	ctx := c.Request().Context()
	loc := s.localizer(langOf(c))
	var id int64
	if name := strings.TrimPrefix(strings.TrimSpace(c.FormValue("engineer")), "@"); name != "" {
		u, err := s.cfg.Forum.FindUserByUsername(ctx, name)
		if err != nil || !u.Role.Team() {
			return s.renderAdminPlans(c, http.StatusBadRequest, "", loc.T("tickets.admin.no_engineer", "Name", name))
		}
		id = u.ID
	}
	if err := s.cfg.Support.SetEngineer(ctx, c.Param("plan"), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin/plans")
}

// adminPlanTargets sets one priority's first- and next-response targets
// of a plan, entered in minutes on one basis.
func (s *Server) adminPlanTargets(c echo.Context) error {
	minutes := func(name string) (time.Duration, bool) {
		n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
		return time.Duration(n) * time.Minute, err == nil
	}
	first, ok1 := minutes("first")
	next, ok2 := minutes("next")
	if !ok1 || !ok2 {
		return s.renderAdminPlans(c, http.StatusBadRequest, "", s.localizer(langOf(c)).T("tickets.error.target"))
	}
	basis := sla.Basis(c.FormValue("basis"))
	err := s.cfg.Support.SetTargets(c.Request().Context(), c.Param("plan"), support.Priority(c.FormValue("priority")),
		sla.Target{Duration: first, Basis: basis}, sla.Target{Duration: next, Basis: basis})
	if err != nil {
		if status, msg, ok := supportFormError(s.localizer(langOf(c)), err); ok {
			return s.renderAdminPlans(c, status, "", msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin/plans")
}
