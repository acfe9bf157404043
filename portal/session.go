package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// sessionCookie holds the random session ID that forum.Login issues; the
// database stores only its hash.
const sessionCookie = "sb_session"

// session puts the signed-in forum user (or nil) into the request's
// context with forum.NewContext, so that every forum.Store call checks
// permissions against them. An unknown or expired cookie is cleared and the
// request goes on anonymously.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" || s.cfg.Forum == nil {
			return next(c)
		}
		r := c.Request()
		u, err := s.cfg.Forum.Authenticate(r.Context(), ck.Value)
		switch {
		case errors.Is(err, forum.ErrUnauthorized):
			s.clearSessionCookie(c)
		case err != nil:
			return err
		default:
			c.SetRequest(r.WithContext(forum.NewContext(r.Context(), u)))
		}
		return next(c)
	}
}

// viewer returns the signed-in user of the request, or nil.
func viewer(c echo.Context) *forum.User { return forum.UserFromContext(c.Request().Context()) }

func (s *Server) setSessionCookie(c echo.Context, sess *forum.Session) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/",
		Expires:  sess.ExpiresAt,
		MaxAge:   int(time.Until(sess.ExpiresAt).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies || c.IsTLS(),
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies || c.IsTLS(),
	})
}
