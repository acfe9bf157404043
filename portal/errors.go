package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/sandbox"
	"github.com/switchboard-rtm/switchboard/status"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// userError is an error meant for the reader: an HTTP status and a
// localized message (a message ID with template data).
type userError struct {
	status int
	msgID  string
	args   []any
	err    error
}

func (e *userError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%d %s: %v", e.status, e.msgID, e.err)
	}
	return fmt.Sprintf("%d %s", e.status, e.msgID)
}

func (e *userError) Unwrap() error { return e.err }

func newUserError(status int, msgID string, args ...any) *userError {
	return &userError{status: status, msgID: msgID, args: args}
}

var (
	errNotFound   = newUserError(http.StatusNotFound, "error.not_found")
	errCSRF       = newUserError(http.StatusForbidden, "error.csrf")
	errBadRequest = newUserError(http.StatusBadRequest, "error.bad_request")
)

// messageIDer is implemented by domain errors that carry their own i18n
// message ID, so the reader sees exactly what went wrong.
type messageIDer interface{ MessageID() string }

// retryAfterer is implemented by rate-limit errors.
type retryAfterer interface{ RetryAfter() time.Duration }

// sentinelStatus maps the domains' sentinel errors to HTTP statuses and a
// default message: the one place where errors become statuses. When the
// error implements MessageID() string (forum.Error, status and sandbox
// validation errors), that message is shown instead. A new domain adds
// its sentinels here.
var sentinelStatus = []struct {
	err    error
	status int
	msgID  string
}{
	{forum.ErrNotFound, http.StatusNotFound, "error.not_found"},
	{forum.ErrForbidden, http.StatusForbidden, "forum.error.forbidden"},
	// Pages turn it into a redirect to the login form (forumErrors).
	{forum.ErrUnauthorized, http.StatusUnauthorized, "forum.error.login_required"},
	{forum.ErrInvalid, http.StatusBadRequest, "error.bad_request"},
	{forum.ErrConflict, http.StatusConflict, "error.bad_request"},
	{forum.ErrRateLimited, http.StatusTooManyRequests, "error.rate_limited"},

	{sandbox.ErrNotFound, http.StatusNotFound, "error.not_found"},
	{sandbox.ErrInvalid, http.StatusBadRequest, "error.bad_request"},
	{sandbox.ErrQuota, http.StatusTooManyRequests, "error.rate_limited"},
	{sandbox.ErrBusy, http.StatusConflict, "sandbox.error.lt_busy"},

	{status.ErrNotFound, http.StatusNotFound, "error.not_found"},

	// Outsiders get 404 for every team and app (console.Allowed).
	{console.ErrNotFound, http.StatusNotFound, "error.not_found"},
	{console.ErrForbidden, http.StatusForbidden, "console.error.forbidden"},
	{console.ErrUnauthorized, http.StatusUnauthorized, "forum.error.login_required"},
	{console.ErrInvalid, http.StatusBadRequest, "error.bad_request"},
	{console.ErrConflict, http.StatusConflict, "error.bad_request"},
	{webhooks.ErrNotFound, http.StatusNotFound, "error.not_found"},
	{webhooks.ErrInvalid, http.StatusBadRequest, "console.webhooks.error_invalid"},
	{webhooks.ErrPrivate, http.StatusBadRequest, "console.webhooks.error_private"},
	// A *status.ValidationError names its field: "status.invalid_<field>".
	{status.ErrInvalid, http.StatusBadRequest, "error.bad_request"},
}

// classify turns any error into a status, a message ID and its data.
func classify(err error) (int, string, []any) {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.status, ue.msgID, ue.args
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "error.not_found", nil
		case http.StatusMethodNotAllowed:
			return he.Code, "error.method_not_allowed", nil
		case http.StatusRequestEntityTooLarge:
			return he.Code, "error.too_large", nil
		case http.StatusTooManyRequests:
			return he.Code, "error.rate_limited", nil
		}
		if he.Code >= 400 && he.Code < 500 {
			return he.Code, "error.bad_request", nil
		}
		return he.Code, "error.internal", nil
	}
	for _, m := range sentinelStatus {
		if errors.Is(err, m.err) {
			id := m.msgID
			var mi messageIDer
			if errors.As(err, &mi) && mi.MessageID() != "" {
				id = mi.MessageID()
			}
			var args []any
			// Domain errors may carry template data for their message
			// (limits, a tag name, ...); "Count" also selects the plural.
			var md interface{ MessageData() map[string]any }
			if errors.As(err, &md) {
				for k, v := range md.MessageData() {
					args = append(args, k, v)
				}
			}
			if secs, ok := retryAfterSeconds(err); ok {
				args = append(args, "Seconds", secs, "Wait", time.Duration(secs)*time.Second)
			}
			return m.status, id, args
		}
	}
	return http.StatusInternalServerError, "error.internal", nil
}

// handleError is echo's one error handler: it maps the error to a status
// and writes a localized HTML page or, under /api/, JSON. Only server
// errors are logged.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msgID, args := classify(err)
	if status >= 500 {
		attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "err", err}
		var pe *panicError
		if errors.As(err, &pe) {
			attrs = append(attrs, "stack", string(pe.stack))
		}
		s.log.ErrorContext(c.Request().Context(), "request failed", attrs...)
	}
	lang := pathLang(c.Request().URL.Path)
	// The language switch on the error page offers the same address in
	// the other language; an address without a language prefix (such as
	// "/fr/docs/") has no such twin, so the switch offers the home page.
	page := "/"
	if lang != "" {
		page = strings.TrimPrefix(c.Request().URL.Path, "/"+lang)
	} else {
		lang = preferredLang(c.Request())
	}
	loc := s.localizer(lang)
	msg := loc.T(msgID, args...)
	setRetryAfter(c, err)
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		c.JSON(status, map[string]any{"error": map[string]any{"status": status, "code": msgID, "message": msg}})
		return
	}
	v := s.newView(c, lang, page)
	v.Title = loc.T("error.title", "Status", status)
	v.NoIndex = true
	v.Data = map[string]any{"Status": status, "Message": msg}
	if rerr := s.render(c, status, "error", v); rerr != nil {
		s.log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		c.String(status, msg)
	}
}

// retryAfterSeconds is a rate-limit error's wait in whole seconds, rounded
// up: "try again in 0 seconds" would be wrong.
func retryAfterSeconds(err error) (int, bool) {
	var ra retryAfterer
	if !errors.As(err, &ra) {
		return 0, false
	}
	return int((ra.RetryAfter() + time.Second - 1) / time.Second), true
}

// setRetryAfter sets the Retry-After header of a rate-limit error.
func setRetryAfter(c echo.Context, err error) {
	if secs, ok := retryAfterSeconds(err); ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	}
}

func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") {
		return true
	}
	return strings.HasPrefix(c.Request().Header.Get("Accept"), "application/json")
}

// pathLang returns "en" or "zh" when p starts with that prefix.
func pathLang(p string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if l, ok := locales.Lang(seg); ok && (seg == "en" || seg == "zh") {
		return l
	}
	return ""
}
