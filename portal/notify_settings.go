package portal

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// NotifyPrefs is the notification mailer's digest preference for the
// signed-in user (notify.Mailer).
type NotifyPrefs interface {
	Digest(ctx context.Context) (bool, error)
	SetDigest(ctx context.Context, on bool) error
}

// Email modes of the settings page: one email per mention or watched
// reply, a daily digest, or none.
const (
	emailEach  = "each"
	emailDaily = "daily"
	emailNone  = "off"
)

// emailMode is the viewer's current mode.
func (s *Server) emailMode(c echo.Context) (string, error) {
	u := viewer(c)
	if u == nil || !u.EmailNotifications {
		return emailNone, nil
	}
	if s.cfg.Notify == nil {
		return emailEach, nil
	}
	on, err := s.cfg.Notify.Digest(c.Request().Context())
	if err != nil || !on {
		return emailEach, err
	}
	return emailDaily, nil
}

// saveEmailMode stores the viewer's choice: off turns notification emails
// off (as the unsubscribe link does); each and daily turn them on.
func (s *Server) saveEmailMode(c echo.Context) error {
	if viewer(c) == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	ctx := c.Request().Context()
	mode := c.FormValue("email")
	switch mode {
	case emailEach, emailDaily, emailNone:
	default:
		return errBadRequest
	}
	if err := s.cfg.Forum.SetEmailNotifications(ctx, mode != emailNone); err != nil {
		return err
	}
	if s.cfg.Notify != nil && mode != emailNone {
		if err := s.cfg.Notify.SetDigest(ctx, mode == emailDaily); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/settings?saved=1")
}
