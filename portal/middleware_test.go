package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A JSON Content-Type does not let a page's form handler skip the CSRF
// token: the reply handler reads the query string too, so
// "POST /en/forum/t/9/reply?body=..." typed as JSON with a session cookie
// must not post. Browsers preflight such a request cross-site today; the
// form defence must not rest on that for pages.
func TestJSONContentTypeDoesNotSkipCSRFOnPages(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("csrf@example.com", "Csrf")
	loc := b.ask("A topic to reply to", "Some question text")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		r := httptest.NewRequest(http.MethodPost, "/en/forum/t/"+id+"/reply?"+url.Values{"body": {"a forged reply via the query"}}.Encode(),
			strings.NewReader(`{}`))
		r.Header.Set("Content-Type", ct)
		if w := b.do(r); w.Code != http.StatusForbidden {
			t.Errorf("Content-Type %q: status %d, want 403", ct, w.Code)
		}
	}
	if body := b.get(loc).Body.String(); strings.Contains(body, "a forged reply") {
		t.Error("a JSON-typed post without CSRF token created a reply")
	}
}

func TestCSRFExemptRoutes(t *testing.T) {
	tests := []struct {
		method, path, ct, auth string
		want                   bool
	}{
		{"POST", "/api/sandbox/apps", "application/json", "", true},
		{"POST", "/api/sandbox/apps", "application/json; charset=utf-8", "", true},
		{"POST", "/api/sandbox/apps", "text/plain", "", false}, // a cross-site form can send text/plain
		{"POST", "/api/sandbox/apps", "application/x-www-form-urlencoded", "", false},
		{"POST", "/api/sandbox/apps", "", "", false},
		{"POST", "/api/sandbox/apps", "application/jsonp", "", false},
		{"POST", "/v1/api/channels/news/publish", "application/json", "", true},
		{"DELETE", "/v1/api/channels/news", "", "Bearer sk_test", true}, // cross-site pages cannot set Authorization
		{"POST", "/en/forum/t/9/reply", "application/json", "", false},
		{"POST", "/en/forum/t/9/reply", "", "Bearer x", false},
		{"POST", "/en/docs/feedback", "application/json", "", false},
		{"POST", "/apix/thing", "application/json", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.ct != "" {
			r.Header.Set("Content-Type", tt.ct)
		}
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		if got := csrfExempt(r); got != tt.want {
			t.Errorf("%s %s (Content-Type %q, Authorization %q): exempt %v, want %v", tt.method, tt.path, tt.ct, tt.auth, got, tt.want)
		}
	}
}

// An exempt JSON API request cannot smuggle form values through its query
// string: handlers behind the exemption see none.
func TestCSRFExemptRequestHasNoFormValues(t *testing.T) {
	s := newTestServer(t)
	var got string
	s.echo.POST("/api/test/echo", func(c echo.Context) error {
		got = c.FormValue("body") + c.Request().FormValue("body")
		return c.NoContent(http.StatusNoContent)
	})
	r := httptest.NewRequest(http.MethodPost, "/api/test/echo?body=from-the-query", strings.NewReader(`{"x":1}`))
	r.Header.Set("Content-Type", "application/json")
	wantStatus(t, do(t, s, r), http.StatusNoContent)
	if got != "" {
		t.Errorf("form value %q reached an exempt JSON handler, want none", got)
	}
}

// -secure-cookies says TLS ends at a proxy, so the portal sends HSTS too;
// without it, plain HTTP (development) gets no HSTS.
func TestHSTSWithSecureCookies(t *testing.T) {
	tests := []struct {
		name   string
		secure bool
		want   string
	}{
		{"secure cookies", true, hsts},
		{"plain HTTP", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, func(cfg *Config) { cfg.SecureCookies = tt.secure })
			for _, p := range []string{"/en/docs/overview", "/healthz", "/no/such/page"} {
				if got := get(t, s, p).Header().Get("Strict-Transport-Security"); got != tt.want {
					t.Errorf("GET %s: Strict-Transport-Security %q, want %q", p, got, tt.want)
				}
			}
		})
	}
}
