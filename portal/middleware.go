package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows scripts and styles from this origin only:
// no inline script, no eval. WebSockets go to this origin too.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// CSRF protection is a double-submit token: a random value in an HttpOnly,
// SameSite=Lax cookie, repeated in each form (field "_csrf") or in the
// X-CSRF-Token header. Requests with a JSON body are accepted without it:
// a browser cannot send a cross-origin JSON request without a CORS
// preflight, which this server never grants.
const (
	// serverAPIPrefix is the server API's path, exempt from CSRF checks.
	serverAPIPrefix = "/v1/api/"
	csrfCookie      = "sb_csrf"
	csrfField       = "_csrf"
	csrfHeader      = "X-CSRF-Token"
	csrfCtxKey      = "csrf"
)

// csrfToken returns the request's token, issuing the cookie on first use.
func csrfToken(c echo.Context, secure bool) string {
	if tok, ok := c.Get(csrfCtxKey).(string); ok {
		return tok
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		c.Set(csrfCtxKey, ck.Value)
		return ck.Value
	}
	var b [32]byte
	rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	c.SetCookie(&http.Cookie{
		Name: csrfCookie, Value: tok, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure || c.IsTLS(),
	})
	c.Set(csrfCtxKey, tok)
	return tok
}

func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if strings.HasPrefix(r.URL.Path, serverAPIPrefix) {
			return next(c) // API-key auth (Authorization: Bearer), no cookies
		}
		if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
			return next(c)
		}
		ck, err := c.Cookie(csrfCookie)
		if err != nil || ck.Value == "" {
			return errCSRF
		}
		sent := r.Header.Get(csrfHeader)
		if sent == "" {
			sent = c.FormValue(csrfField)
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(ck.Value)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// ipExtractor trusts X-Forwarded-For only from the configured proxy
// networks; otherwise the TCP peer is the client. Echo's default trusts
// any X-Forwarded-For, which would let a client pick its own IP and dodge
// per-IP quotas.
func ipExtractor(proxies []string) (echo.IPExtractor, error) {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		if !strings.Contains(p, "/") {
			if strings.Contains(p, ":") {
				p += "/128"
			} else {
				p += "/32"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", p, err)
		}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}

// headAsGet lets HEAD requests match GET routes (echo routes HEAD only
// where registered explicitly). It runs before routing and marks the
// request; restoreHead turns it back into HEAD after routing, so net/http
// sends headers only.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set("head", true)
		}
		return next(c)
	}
}

func restoreHead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get("head") == true {
			c.Request().Method = http.MethodHead
		}
		return next(c)
	}
}
