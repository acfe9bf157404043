package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows scripts and styles from this origin only:
// no inline script, no eval. WebSockets go to this origin too.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'"

// hsts is the Strict-Transport-Security header sent over TLS, and behind a
// TLS proxy (-secure-cookies): a year, this host only, since a portal may
// share its domain with hosts that are not on HTTPS.
const hsts = "max-age=31536000"

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.cfg.SecureCookies || c.IsTLS() {
			h.Set("Strict-Transport-Security", hsts)
		}
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
// X-CSRF-Token header.
//
// The JSON API routes below are exempt when the request is one that no
// cross-site page can send without a CORS preflight, which this server
// never grants: a Content-Type of application/json, or an Authorization
// header (API keys). Pages and form handlers are never exempt, whatever
// the Content-Type says, because they also read the query string. The
// JSON API handlers read their input from the JSON body and the path only;
// to hold them to it, an exempt request's form values (query string
// included) read as empty.
//
// A new JSON API area adds its prefix here.
var csrfExemptPrefixes = []string{
	"/api/",    // the portal's JSON API: sandbox apps and load tests, search, status
	"/v1/api/", // the engine's server API, authenticated by an API key
}

// csrfExempt reports whether r may skip the CSRF token (see above).
func csrfExempt(r *http.Request) bool {
	api := false
	for _, p := range csrfExemptPrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			api = true
			break
		}
	}
	if !api {
		return false
	}
	if r.Header.Get("Authorization") != "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

const (
	csrfCookie = "sb_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	csrfCtxKey = "csrf"
)

// csrfToken returns the request's token, issuing the cookie on first use.
func csrfToken(c echo.Context, secure bool) string {
	if tok, ok := c.Get(csrfCtxKey).(string); ok {
		return tok
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && validToken(ck.Value) {
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

// validToken reports whether a token from a cookie may be used: 32 to 128
// characters of base64url, the alphabet tokens are issued in. Cached pages
// splice the token into HTML unescaped (page_cache.go), so nothing else
// may pass; a reader with another value gets a fresh token.
func validToken(v string) bool {
	if len(v) < 32 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_':
		default:
			return false
		}
	}
	return true
}

func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if csrfExempt(r) {
			r.Form, r.PostForm = url.Values{}, url.Values{}
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
