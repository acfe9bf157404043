package portal

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/sla"
)

// policyRow is one category × priority row of the SLA admin page.
type policyRow struct {
	sla.Policy
	CategoryName string
	FirstHours   string
	NextHours    string
}

func hoursOf(t sla.Target) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatFloat(t.Duration.Hours(), 'f', -1, 64)
}

// slaPolicies lists the policies for admins, one form per row.
func (s *Server) slaPolicies(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	ps, err := s.cfg.SLA.Policies(ctx)
	if err != nil {
		return err
	}
	cats, err := s.cfg.Forum.Categories(ctx)
	if err != nil {
		return err
	}
	var rows []policyRow
	for _, prio := range sla.Priorities {
		p, _ := sla.FindPolicy(ps, sla.DefaultCategory, prio)
		rows = append(rows, policyRow{Policy: p, CategoryName: s.localizer(lang).T("support.policy.default"), FirstHours: hoursOf(p.FirstResponse), NextHours: hoursOf(p.NextResponse)})
	}
	for _, cat := range cats {
		for _, prio := range sla.Priorities {
			p, _ := sla.FindPolicy(ps, cat.Slug, prio)
			rows = append(rows, policyRow{Policy: p, CategoryName: cat.Name(lang), FirstHours: hoursOf(p.FirstResponse), NextHours: hoursOf(p.NextResponse)})
		}
	}
	v := s.newView(c, lang, "/admin/sla")
	v.Section, v.NoIndex = "forum", true
	v.Title = v.T("sla.admin.title")
	v.Data = map[string]any{"Rows": rows, "BusinessDay": v.Duration(s.cfg.SLA.Schedule().BusinessDay()),
		"Saved": c.QueryParam("saved") != ""}
	return s.render(c, http.StatusOK, "sla/policies", v)
}

// parseTarget reads hours ("" or 0: no target) and a basis.
func parseTarget(hours, basis string) (sla.Target, bool) {
	hours = strings.TrimSpace(hours)
	if hours == "" {
		return sla.Target{}, true
	}
	h, err := strconv.ParseFloat(hours, 64)
	if err != nil || h < 0 || math.IsNaN(h) || h > sla.MaxTarget.Hours() {
		return sla.Target{}, false
	}
	t := sla.Target{Duration: time.Duration(h * float64(time.Hour)).Round(time.Minute), Basis: sla.Basis(basis)}
	if t.Duration == 0 {
		return sla.Target{}, true
	}
	return t, t.Validate() == nil
}

func (s *Server) saveSLAPolicy(c echo.Context) error {
	first, ok1 := parseTarget(c.FormValue("first_hours"), c.FormValue("first_basis"))
	next, ok2 := parseTarget(c.FormValue("next_hours"), c.FormValue("next_basis"))
	if !ok1 || !ok2 {
		return newUserError(http.StatusBadRequest, "sla.error.policy_invalid")
	}
	p := sla.Policy{Category: c.FormValue("category"), Priority: sla.Priority(c.FormValue("priority")), FirstResponse: first, NextResponse: next,
		MembersMayChoose: c.FormValue("members") == "1"}
	if err := s.cfg.SLA.SetPolicy(c.Request().Context(), p); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin/sla?saved=1#"+policyAnchor(p))
}

// policyAnchor is the row's id on the page: "go-sdk-high", "default-urgent".
func policyAnchor(p sla.Policy) string {
	c := p.Category
	if c == sla.DefaultCategory {
		c = "default"
	}
	return c + "-" + string(p.Priority)
}

// Anchor is the row's id.
func (r policyRow) Anchor() string { return policyAnchor(r.Policy) }
