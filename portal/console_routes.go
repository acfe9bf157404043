package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
)

// The developer console: a signed-in forum account's teams, apps,
// credentials and webhooks. The console package decides every action
// (console.Allowed); these handlers only translate forms and pages, and
// anyone outside an app's team gets 404.

func (s *Server) registerConsoleRoutes() {
	if s.cfg.Console == nil || s.cfg.Forum == nil {
		return
	}
	g := s.echo.Group("/:lang/console", validLang, s.forumErrors, s.consoleActor)
	g.GET("", s.consoleHome)
	g.POST("/teams", s.consoleCreateTeam)
	g.GET("/teams/:team", s.consoleTeam)
	g.POST("/teams/:team/invites", s.consoleInvite)
	g.POST("/teams/:team/invites/:invite/revoke", s.consoleRevokeInvite)
	g.POST("/teams/:team/members/:user", s.consoleMember)
	g.POST("/invites/:invite", s.consoleAnswerInvite)
	g.POST("/apps", s.consoleCreateApp)
	g.GET("/apps/:app", s.consoleApp)
	g.POST("/apps/:app/certificate", s.consoleCertificate)
	g.POST("/apps/:app/apikey", s.consoleRotateAPIKey)
	g.POST("/apps/:app/token", s.consoleToken)
	g.POST("/apps/:app/rename", s.consoleRenameApp)
	g.POST("/apps/:app/delete", s.consoleDeleteApp)
	g.POST("/apps/:app/restore", s.consoleRestoreApp)
	g.POST("/apps/:app/transfer", s.consoleTransferApp)
	s.registerConsoleWebhookRoutes(g)
	s.registerConsoleUsageRoutes(g)
}

// consoleActor requires a signed-in account and puts it into the
// request's context as the console's actor. Forum staff and admins get
// the read-only support view of every app.
func (s *Server) consoleActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := viewer(c)
		if u == nil {
			return forum.ErrUnauthorized
		}
		r := c.Request()
		a := console.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Staff: u.Role == forum.RoleStaff || u.Role == forum.RoleAdmin}
		c.SetRequest(r.WithContext(console.NewContext(r.Context(), a)))
		// Console pages show secrets and private data: never cache them.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// consoleFormError returns the status and localized text of a console
// error that the reader can fix in the form they sent (a bad name, a
// last owner leaving), or ok=false for any other error.
func (s *Server) consoleFormError(c echo.Context, err error) (int, string, bool) {
	var ce *console.Error
	if !errors.As(err, &ce) {
		return 0, "", false
	}
	status, msgID, args := classify(err)
	return status, s.localizer(langOf(c)).T(msgID, args...), true
}

// consoleUser is a member as pages show them.
type consoleUser struct {
	ID       int64
	Name     string
	Username string
}

func (s *Server) consoleUser(c echo.Context, id int64) consoleUser {
	u, err := s.cfg.Forum.FindUser(c.Request().Context(), id)
	if err != nil {
		return consoleUser{ID: id, Name: "#" + strconv.FormatInt(id, 10)}
	}
	return consoleUser{ID: id, Name: u.Name, Username: u.Username}
}

// homeData is what templates/pages/console/home.html shows.
type homeData struct {
	Teams   []teamApps
	Invites []console.Invite
	Error   string
}

type teamApps struct {
	Team console.Team
	Apps []console.App
}

func (s *Server) consoleHome(c echo.Context) error { return s.renderConsoleHome(c, http.StatusOK, "") }

func (s *Server) renderConsoleHome(c echo.Context, status int, formErr string) error {
	ctx := c.Request().Context()
	if _, err := s.cfg.Console.PersonalTeam(ctx); err != nil {
		return err
	}
	teams, err := s.cfg.Console.Teams(ctx)
	if err != nil {
		return err
	}
	d := homeData{Error: formErr}
	for _, t := range teams {
		apps, err := s.cfg.Console.Apps(ctx, t.ID)
		if err != nil {
			return err
		}
		d.Teams = append(d.Teams, teamApps{Team: t, Apps: apps})
	}
	if d.Invites, err = s.cfg.Console.MyInvites(ctx); err != nil {
		return err
	}
	v := s.consoleView(c, "/console", "console.home.title")
	v.Data = d
	return s.render(c, status, "console/home", v)
}

func (s *Server) consoleView(c echo.Context, path, titleID string, args ...any) *view {
	v := s.newView(c, langOf(c), path)
	v.NoIndex = true
	v.Section = "console"
	v.Title = v.T(titleID, args...)
	return v
}

func (s *Server) consoleCreateTeam(c echo.Context) error {
	t, err := s.cfg.Console.CreateTeam(c.Request().Context(), c.FormValue("name"))
	if status, msg, ok := s.consoleFormError(c, err); ok {
		return s.renderConsoleHome(c, status, msg)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.teamURL(c, t.ID))
}

func (s *Server) teamURL(c echo.Context, id int64) string {
	return "/" + langOf(c) + "/console/teams/" + strconv.FormatInt(id, 10)
}

// teamData is what templates/pages/console/team.html shows.
type teamData struct {
	Team    console.Team
	Members []memberRow
	Invites []console.Invite // owners only
	Apps    []console.App
	Roles   []console.Role
	Staff   bool
	Error   string
}

type memberRow struct {
	User consoleUser
	console.Member
}

// CanManage reports whether the reader may invite and change members.
func (d teamData) CanManage() bool {
	return console.Allowed(d.Team.Role, d.Staff, console.ActManageMembers)
}

// CanCreateApp reports whether the reader may create apps in the team.
func (d teamData) CanCreateApp() bool {
	return console.Allowed(d.Team.Role, d.Staff, console.ActCreateApp)
}

func (s *Server) consoleTeam(c echo.Context) error { return s.renderConsoleTeam(c, http.StatusOK, "") }

func (s *Server) renderConsoleTeam(c echo.Context, status int, formErr string) error {
	ctx := c.Request().Context()
	id, err := paramInt(c, "team")
	if err != nil {
		return err
	}
	t, err := s.cfg.Console.Team(ctx, id)
	if err != nil {
		return err
	}
	d := teamData{Team: t, Roles: console.Roles, Error: formErr, Staff: viewerStaff(c)}
	ms, err := s.cfg.Console.Members(ctx, id)
	if err != nil {
		return err
	}
	for _, m := range ms {
		d.Members = append(d.Members, memberRow{User: s.consoleUser(c, m.UserID), Member: m})
	}
	if d.CanManage() {
		if d.Invites, err = s.cfg.Console.TeamInvites(ctx, id); err != nil {
			return err
		}
	}
	if d.Apps, err = s.cfg.Console.Apps(ctx, id); err != nil {
		return err
	}
	v := s.consoleView(c, "/console/teams/"+strconv.FormatInt(id, 10), "console.team.title", "Name", t.Name)
	v.Data = d
	return s.render(c, status, "console/team", v)
}

func viewerStaff(c echo.Context) bool {
	u := viewer(c)
	return u != nil && (u.Role == forum.RoleStaff || u.Role == forum.RoleAdmin)
}

// paramInt parses a positive integer route parameter; anything else is
// 404, like an ID that does not exist.
func paramInt(c echo.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errNotFound
	}
	return n, nil
}

func (s *Server) consoleInvite(c echo.Context) error {
	id, err := paramInt(c, "team")
	if err != nil {
		return err
	}
	_, err = s.cfg.Console.Invite(c.Request().Context(), id, c.FormValue("who"), console.Role(c.FormValue("role")))
	if status, msg, ok := s.consoleFormError(c, err); ok {
		return s.renderConsoleTeam(c, status, msg)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.teamURL(c, id))
}

func (s *Server) consoleRevokeInvite(c echo.Context) error {
	team, err := paramInt(c, "team")
	if err != nil {
		return err
	}
	inv, err := paramInt(c, "invite")
	if err != nil {
		return err
	}
	if err := s.cfg.Console.RevokeInvite(c.Request().Context(), team, inv); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.teamURL(c, team))
}

// consoleMember changes a member's role (role=...) or removes them
// (remove=1; a member removing themself leaves the team).
func (s *Server) consoleMember(c echo.Context) error {
	ctx := c.Request().Context()
	team, err := paramInt(c, "team")
	if err != nil {
		return err
	}
	user, err := paramInt(c, "user")
	if err != nil {
		return err
	}
	if c.FormValue("remove") == "1" {
		err = s.cfg.Console.RemoveMember(ctx, team, user)
	} else {
		err = s.cfg.Console.SetMemberRole(ctx, team, user, console.Role(c.FormValue("role")))
	}
	if status, msg, ok := s.consoleFormError(c, err); ok {
		return s.renderConsoleTeam(c, status, msg)
	}
	if err != nil {
		return err
	}
	if c.FormValue("remove") == "1" && user == viewer(c).ID {
		return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/console")
	}
	return c.Redirect(http.StatusSeeOther, s.teamURL(c, team))
}

func (s *Server) consoleAnswerInvite(c echo.Context) error {
	id, err := paramInt(c, "invite")
	if err != nil {
		return err
	}
	if err := s.cfg.Console.AnswerInvite(c.Request().Context(), id, c.FormValue("accept") == "1"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/console")
}
