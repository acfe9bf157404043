package portal

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/mail"
)

// Mailer is the mail outbox (package mail), as the portal uses it.
type Mailer interface {
	// Send composes l in its language and stores it for delivery.
	Send(ctx context.Context, l mail.Letter) (int64, error)
	// List returns the newest rows and the number still pending.
	List(ctx context.Context, limit int) ([]mail.Entry, int, error)
	// Configured reports whether an SMTP server delivers the outbox.
	Configured() bool
}

// The outbox page: every message, sent or waiting, for admins. Without
// SMTP it is how an admin hands a reset or verification link on.
func (s *Server) registerMailRoutes() {
	if s.cfg.Forum == nil || s.cfg.Mail == nil {
		return
	}
	g := s.echo.Group("/:lang/admin", validLang, s.forumErrors)
	g.GET("/outbox", s.adminOutbox, s.allow(forum.ActionViewOutbox))
}

type outboxData struct {
	Entries    []mail.Entry
	Pending    int
	Configured bool
}

func (s *Server) adminOutbox(c echo.Context) error {
	entries, pending, err := s.cfg.Mail.List(c.Request().Context(), 200)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store") // reset links are secrets
	v := s.newView(c, langOf(c), "/admin/outbox")
	v.NoIndex = true
	v.Title = v.T("web.outbox.title")
	v.Data = &outboxData{Entries: entries, Pending: pending, Configured: s.cfg.Mail.Configured()}
	return s.render(c, http.StatusOK, "admin/outbox", v)
}

// publicURL is the absolute form of site path p for links in emails.
func (s *Server) publicURL(c echo.Context, p string) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/") + p
	}
	return absURL(c, p)
}
