package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// Admin pages: users and role grants, one-time password reset links, and
// categories. forum.Store allows each action to admins only; the pages
// merely collect the input, after s.allow has turned away everyone else.

func (s *Server) registerAdminRoutes() {
	if s.cfg.Forum == nil {
		return
	}
	g := s.echo.Group("/:lang/admin", validLang, s.forumErrors)
	g.GET("", s.adminUsers, s.allow(forum.ActionListUsers))
	g.POST("/users/:id/role", s.adminSetRole, s.allow(forum.ActionSetRole))
	g.POST("/users/:id/reset", s.adminIssueReset, s.allow(forum.ActionIssueReset))
	g.GET("/categories", s.adminCategories, s.allow(forum.ActionEditCategory))
	g.POST("/categories", s.adminSaveCategory, s.allow(forum.ActionEditCategory))
	g.POST("/categories/:id", s.adminSaveCategory, s.allow(forum.ActionEditCategory))
}

// adminData is what the admin pages show.
type adminData struct {
	Users      []*forum.User
	Total      int
	Query      string
	Roles      []forum.Role
	Categories []*forum.Category
	ResetURL   string // a freshly issued reset link, shown once
	ResetFor   string
	Error      string
}

func (s *Server) adminUsers(c echo.Context) error {
	return s.renderAdminUsers(c, http.StatusOK, &adminData{})
}

func (s *Server) renderAdminUsers(c echo.Context, status int, d *adminData) error {
	d.Query = strings.TrimSpace(c.QueryParam("q"))
	users, total, err := s.cfg.Forum.ListUsers(c.Request().Context(), forum.UserFilter{Query: d.Query, PerPage: 200})
	if err != nil {
		return err
	}
	d.Users, d.Total, d.Roles = users, total, forum.Roles
	lang := langOf(c)
	v := s.newView(c, lang, "/admin")
	v.NoIndex = true
	v.Title = v.T("web.admin.title")
	v.Data = d
	return s.render(c, status, "admin/users", v)
}

func (s *Server) adminSetRole(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Forum.SetRole(c.Request().Context(), id, forum.Role(c.FormValue("role"))); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin")
}

// adminIssueReset issues a one-time reset link and shows it once, for the
// admin to hand to the user.
func (s *Server) adminIssueReset(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.FindUser(ctx, id)
	if err != nil {
		return err
	}
	r, err := s.cfg.Forum.IssuePasswordReset(ctx, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	lang := u.Lang
	if lang != "en" && lang != "zh" {
		lang = langOf(c)
	}
	return s.renderAdminUsers(c, http.StatusOK, &adminData{ResetURL: absURL(c, "/"+lang+"/reset/"+r.Token), ResetFor: u.Name})
}

func (s *Server) adminCategories(c echo.Context) error {
	return s.renderAdminCategories(c, http.StatusOK, "")
}

func (s *Server) renderAdminCategories(c echo.Context, status int, msg string) error {
	cats, err := s.cfg.Forum.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/admin/categories")
	v.NoIndex = true
	v.Title = v.T("web.admin.categories")
	v.Data = &adminData{Categories: cats, Error: msg}
	return s.render(c, status, "admin/categories", v)
}

// adminSaveCategory creates (no :id) or updates a category.
func (s *Server) adminSaveCategory(c echo.Context) error {
	pos, _ := strconv.Atoi(c.FormValue("position"))
	in := forum.CategoryInput{
		Slug: strings.TrimSpace(c.FormValue("slug")), NameEN: c.FormValue("name_en"), NameZH: c.FormValue("name_zh"),
		DescriptionEN: c.FormValue("description_en"), DescriptionZH: c.FormValue("description_zh"),
		Position: pos, StaffOnly: c.FormValue("staff_only") == "1",
	}
	ctx := c.Request().Context()
	var err error
	if c.Param("id") == "" {
		_, err = s.cfg.Forum.CreateCategory(ctx, in)
	} else {
		var id int64
		if id, err = paramID(c); err != nil {
			return err
		}
		_, err = s.cfg.Forum.UpdateCategory(ctx, id, in)
	}
	if err != nil {
		status, msg, ok := formError(c, s.localizer(langOf(c)), err)
		if !ok {
			return err
		}
		return s.renderAdminCategories(c, status, msg)
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/admin/categories")
}
