package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// Accounts: sign-up, login and logout, password reset links, profiles and
// notifications. Sessions live in the forum's database; the cookie holds
// the random session ID (session.go).

func (s *Server) registerAccountRoutes() {
	if s.cfg.Forum == nil {
		return
	}
	g := s.echo.Group("/:lang", validLang, s.forumErrors)
	g.GET("/signup", s.signupForm)
	g.POST("/signup", s.signup)
	g.GET("/login", s.loginForm)
	g.POST("/login", s.login)
	g.POST("/logout", s.logout)
	g.GET("/reset/:token", s.resetForm)
	g.POST("/reset/:token", s.resetPassword)
	g.GET("/u/:username", s.profilePage)
	g.POST("/u/:username", s.updateProfile)
	g.POST("/u/:username/suspend", s.suspendUser, s.allow(forum.ActionSuspend))
	g.POST("/u/:username/unsuspend", s.unsuspendUser, s.allow(forum.ActionSuspend))
	g.GET("/notifications", s.notificationsPage)
	g.POST("/notifications/read", s.markRead)
}

// accountForm is the sign-up, login or reset form as submitted. The
// password is never echoed back.
type accountForm struct {
	Email  string
	Name   string
	Next   string
	Token  string
	Error  string
	Notice string
	// CanReset: the login page offers "Forgot password?" (mail is set up).
	CanReset bool
}

func (s *Server) renderAccount(c echo.Context, status int, page string, form accountForm) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/"+page)
	switch page {
	case "reset":
		v.Path = "/reset/" + form.Token
	case "unsubscribe":
		v.Path = "/unsubscribe/" + form.Token
	case "verified":
		v.Path = "/forum"
	}
	v.NoIndex = true
	v.Title = v.T("web." + page + ".title")
	form.CanReset = s.cfg.Mail != nil
	v.Data = form
	return s.render(c, status, "account/"+page, v)
}

func (s *Server) signupForm(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, "signup", accountForm{Next: c.QueryParam("next")})
}

func (s *Server) signup(c echo.Context) error {
	lang := langOf(c)
	form := accountForm{Email: strings.TrimSpace(c.FormValue("email")), Name: c.FormValue("name"), Next: c.FormValue("next")}
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.SignUp(ctx, forum.SignUp{Email: form.Email, Name: form.Name, Password: c.FormValue("password"), Lang: lang})
	if err == nil && s.cfg.Mail != nil {
		err = s.sendVerification(ctx, c, u)
	}
	if err == nil {
		var sess *forum.Session
		if sess, _, err = s.cfg.Forum.Login(ctx, form.Email, c.FormValue("password"), c.RealIP()); err == nil {
			s.setSessionCookie(c, sess)
			return c.Redirect(http.StatusSeeOther, safeNext(form.Next, "/"+lang+"/forum"))
		}
	}
	status, msg, ok := formError(c, s.localizer(lang), err)
	if !ok {
		return err
	}
	form.Error = msg
	return s.renderAccount(c, status, "signup", form)
}

func (s *Server) loginForm(c echo.Context) error {
	form := accountForm{Next: c.QueryParam("next")}
	if c.QueryParam("reset") == "1" {
		form.Notice = s.localizer(langOf(c)).T("web.reset.done")
	}
	return s.renderAccount(c, http.StatusOK, "login", form)
}

// login signs in. A wrong e-mail or password re-renders the form (401);
// too many attempts from one IP or on one account give 429 with
// Retry-After and the localized wait.
func (s *Server) login(c echo.Context) error {
	lang := langOf(c)
	loc := s.localizer(lang)
	form := accountForm{Email: strings.TrimSpace(c.FormValue("email")), Next: c.FormValue("next")}
	sess, _, err := s.cfg.Forum.Login(c.Request().Context(), form.Email, c.FormValue("password"), c.RealIP())
	if err != nil {
		if forum.AsError(err) != nil && errors.Is(err, forum.ErrUnauthorized) {
			_, msgID, args := classify(err)
			form.Error = loc.T(msgID, args...)
			return s.renderAccount(c, http.StatusUnauthorized, "login", form)
		}
		status, msg, ok := formError(c, loc, err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderAccount(c, status, "login", form)
	}
	s.setSessionCookie(c, sess)
	return c.Redirect(http.StatusSeeOther, safeNext(form.Next, "/"+lang+"/forum"))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.cfg.Forum.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/")
}

func (s *Server) resetForm(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, "reset", accountForm{Token: c.Param("token")})
}

func (s *Server) resetPassword(c echo.Context) error {
	lang := langOf(c)
	form := accountForm{Token: c.Param("token")}
	if err := s.cfg.Forum.ResetPassword(c.Request().Context(), form.Token, c.FormValue("password")); err != nil {
		status, msg, ok := formError(c, s.localizer(lang), err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderAccount(c, status, "reset", form)
	}
	return c.Redirect(http.StatusSeeOther, "/"+lang+"/login?reset=1")
}

// profileData is what templates/pages/account/profile.html shows.
type profileData struct {
	Profile *forum.Profile
	Error   string
	Name    string
	Bio     string
	Lang    string
}

func (s *Server) profilePage(c echo.Context) error {
	return s.renderProfile(c, http.StatusOK, nil)
}

func (s *Server) renderProfile(c echo.Context, status int, form *profileData) error {
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.FindUserByUsername(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	p, err := s.cfg.Forum.Profile(ctx, u.ID, 20)
	if err != nil {
		return err
	}
	if form == nil {
		form = &profileData{Name: p.User.Name, Bio: p.User.Bio, Lang: p.User.Lang}
	}
	form.Profile = p
	lang := langOf(c)
	v := s.newView(c, lang, "/u/"+u.Username)
	v.Section = "forum"
	v.Title = p.User.Name
	v.Data = form
	return s.render(c, status, "account/profile", v)
}

func (s *Server) updateProfile(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.FindUserByUsername(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	form := &profileData{Name: c.FormValue("name"), Bio: c.FormValue("bio"), Lang: c.FormValue("lang")}
	if _, err := s.cfg.Forum.UpdateProfile(ctx, u.ID, forum.ProfileUpdate{Name: form.Name, Bio: form.Bio, Lang: form.Lang}); err != nil {
		status, msg, ok := formError(c, s.localizer(langOf(c)), err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderProfile(c, status, form)
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/u/"+u.Username)
}

// suspendUser suspends a user for ?days (1–3650) with a reason.
func (s *Server) suspendUser(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.FindUserByUsername(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(c.FormValue("days"))
	if err != nil || days < 1 || days > 3650 {
		return errBadRequest
	}
	if err := s.cfg.Forum.Suspend(ctx, u.ID, s.cfg.Now().Add(time.Duration(days)*24*time.Hour), c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/u/"+u.Username)
}

func (s *Server) unsuspendUser(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.cfg.Forum.FindUserByUsername(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.Unsuspend(ctx, u.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/u/"+u.Username)
}

func (s *Server) notificationsPage(c echo.Context) error {
	ns, unread, err := s.cfg.Forum.Notifications(c.Request().Context(), 100)
	if err != nil {
		return err
	}
	// Seen is read: the ones listed here stop counting in the header's
	// badge (rendered below, after this), while this page still marks them
	// as new. "Mark all read" remains for any beyond the list.
	var seen []int64
	for _, n := range ns {
		if n.Unread() {
			seen = append(seen, n.ID)
		}
	}
	if len(seen) > 0 {
		if err := s.cfg.Forum.MarkRead(c.Request().Context(), seen...); err != nil {
			return err
		}
		unread -= len(seen)
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/notifications")
	v.NoIndex = true
	v.Title = v.T("web.notifications.title")
	alerts, err := s.alertNotifications(c)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Items": ns, "Unread": unread, "Alerts": alerts}
	return s.render(c, http.StatusOK, "account/notifications", v)
}

// markRead marks one notification (id) or all of them as read; with
// "go" set it then opens the notification's topic.
func (s *Server) markRead(c echo.Context) error {
	var ids []int64
	if id := formInt(c, "id"); id > 0 {
		ids = append(ids, id)
	}
	if err := s.cfg.Forum.MarkRead(c.Request().Context(), ids...); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("go"), "/"+langOf(c)+"/notifications"))
}
