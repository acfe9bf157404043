package portal

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/mail"
)

// Accounts by email: "Forgot password?", address verification at sign-up
// and the unsubscribe link of notification emails. Without a Mailer the
// routes do not exist and the login page does not offer the reset.

func (s *Server) registerAccountEmailRoutes() {
	if s.cfg.Forum == nil || s.cfg.Mail == nil {
		return
	}
	g := s.echo.Group("/:lang", validLang, s.forumErrors)
	g.GET("/forgot", s.forgotForm)
	g.POST("/forgot", s.forgot)
	g.GET("/verify/:token", s.verifyEmail)
	g.POST("/verify/resend", s.resendVerification)
	g.GET("/unsubscribe/:token", s.unsubscribeForm)
	g.POST("/unsubscribe/:token", s.unsubscribe)
}

func (s *Server) forgotForm(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, "forgot", accountForm{})
}

// forgot answers the same page whether or not the address has an
// account; only then is a link mailed.
func (s *Server) forgot(c echo.Context) error {
	lang := langOf(c)
	ctx := c.Request().Context()
	r, u, err := s.cfg.Forum.RequestPasswordReset(ctx, strings.TrimSpace(c.FormValue("email")))
	if err != nil {
		return err
	}
	if r != nil {
		if _, err := s.cfg.Mail.Send(ctx, mail.Letter{Kind: mail.KindReset, To: u.Email, Lang: u.Lang, Name: u.Name,
			Link: s.publicURL(c, "/"+mailLang(u.Lang)+"/reset/"+r.Token)}); err != nil {
			return err
		}
	}
	return s.renderAccount(c, http.StatusOK, "forgot", accountForm{Notice: s.localizer(lang).T("web.forgot.sent")})
}

// sendVerification mails u a link confirming the address.
func (s *Server) sendVerification(ctx context.Context, c echo.Context, u *forum.User) error {
	tok, err := s.cfg.Forum.IssueEmailVerification(ctx, u.ID)
	if err != nil || tok == "" {
		return err
	}
	_, err = s.cfg.Mail.Send(ctx, mail.Letter{Kind: mail.KindVerify, To: u.Email, Lang: u.Lang, Name: u.Name,
		Link: s.publicURL(c, "/"+mailLang(u.Lang)+"/verify/"+tok)})
	return err
}

func (s *Server) verifyEmail(c echo.Context) error {
	if _, err := s.cfg.Forum.VerifyEmail(c.Request().Context(), c.Param("token")); err != nil {
		status, msg, ok := formError(c, s.localizer(langOf(c)), err)
		if !ok {
			return err
		}
		return s.renderAccount(c, status, "verified", accountForm{Error: msg})
	}
	return s.renderAccount(c, http.StatusOK, "verified", accountForm{Notice: s.localizer(langOf(c)).T("web.verified.done")})
}

// resendVerification mails the signed-in user a new confirmation link.
func (s *Server) resendVerification(c echo.Context) error {
	ctx := c.Request().Context()
	u := forum.UserFromContext(ctx)
	if u == nil || u.ID == 0 {
		return forum.ErrUnauthorized
	}
	if err := s.sendVerification(ctx, c, u); err != nil {
		return err
	}
	return s.renderAccount(c, http.StatusOK, "verified", accountForm{Notice: s.localizer(langOf(c)).T("web.verified.resent", "Email", u.Email)})
}

// unsubscribeForm asks before turning emails off: mail scanners follow
// links, and a GET must not change anything.
func (s *Server) unsubscribeForm(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, "unsubscribe", accountForm{Token: c.Param("token")})
}

func (s *Server) unsubscribe(c echo.Context) error {
	form := accountForm{Token: c.Param("token")}
	if _, err := s.cfg.Forum.Unsubscribe(c.Request().Context(), form.Token); err != nil {
		status, msg, ok := formError(c, s.localizer(langOf(c)), err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderAccount(c, status, "unsubscribe", form)
	}
	form.Notice = s.localizer(langOf(c)).T("web.unsubscribe.done")
	return s.renderAccount(c, http.StatusOK, "unsubscribe", form)
}

// mailLang is the site language of a user's emails and their links.
func mailLang(lang string) string {
	if lang == "zh" {
		return "zh"
	}
	return "en"
}
