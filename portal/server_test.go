package portal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/locales"
)

// newTestServer builds a portal the way main does: a real SQLite file in
// t.TempDir(), the real docs, templates, static files and locales. Options
// adjust the Config before New, e.g. to serve a test docs tree.
//
//	s := newTestServer(t)
//	res := get(t, s, "/en/docs/overview")
func newTestServer(t testing.TB, opts ...func(*Config)) *Server {
	t.Helper()
	return newTestServerCtx(t, context.Background(), opts...)
}

// newTestServerCtx is newTestServer with the server's context (New's),
// which bounds its background work.
func newTestServerCtx(t testing.TB, ctx context.Context, opts ...func(*Config)) *Server {
	t.Helper()
	d := dbtest.Open(t)
	feedback, err := content.NewFeedbackStore(ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		DB:       d,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Docs:     content.Docs(),
		Includes: os.DirFS(".."), // the repository root, as main's includes
		Locales:  locales.FS(),
		Feedback: feedback,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get serves one GET request through the handler. hdr is pairs of header
// name and value.
func get(t testing.TB, s *Server, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, httptest.NewRequest(http.MethodGet, target, nil), hdr...)
}

// do serves r through the handler after setting the header pairs in hdr.
func do(t testing.TB, s *Server, r *http.Request, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	if len(hdr)%2 != 0 {
		t.Fatalf("do: odd header list %q", hdr)
	}
	for i := 0; i < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

func wantStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body:\n%.500s", w.Code, want, w.Body.String())
	}
}

func wantBody(t testing.TB, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body does not contain %q; body:\n%.1500s", what, s, body)
		}
	}
}

func TestRootRedirectsToPreferredLanguage(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name   string
		cookie string
		accept string
		want   string
	}{
		{name: "nothing", want: "/en/"},
		{name: "English browser", accept: "en-US,en;q=0.9", want: "/en/"},
		{name: "mainland Chinese browser", accept: "zh-CN,zh;q=0.9,en;q=0.8", want: "/zh/"},
		{name: "plain zh", accept: "zh", want: "/zh/"},
		{name: "Chinese second to French", accept: "fr-FR,fr;q=0.9,zh;q=0.8", want: "/zh/"},
		{name: "French only", accept: "fr-FR,fr;q=0.9", want: "/en/"},
		{name: "garbage header", accept: ";;;q=abc", want: "/en/"},
		{name: "cookie beats Accept-Language", cookie: "zh", accept: "en-US", want: "/zh/"},
		{name: "cookie en beats Chinese browser", cookie: "en", accept: "zh-CN", want: "/en/"},
		{name: "bad cookie ignored", cookie: "fr", accept: "zh-CN", want: "/zh/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: langCookie, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			w := do(t, s, r)
			if w.Code != http.StatusFound {
				t.Fatalf("status %d, want 302", w.Code)
			}
			if got := w.Header().Get("Location"); got != tt.want {
				t.Errorf("Location %q, want %q", got, tt.want)
			}
			if !strings.Contains(w.Header().Get("Vary"), "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language: a cache would send one reader's language to everyone", w.Header().Get("Vary"))
			}
		})
	}
}

// Visiting a language remembers it, so the next visit to "/" goes there.
func TestLanguageChoiceIsRemembered(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/zh/docs/overview", "Accept-Language", "en-US")
	wantStatus(t, w, http.StatusOK)
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == langCookie {
			ck = c
		}
	}
	if ck == nil || ck.Value != "zh" {
		t.Fatalf("no %s=zh cookie set; cookies %v", langCookie, w.Result().Cookies())
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %v: want HttpOnly and SameSite=Lax", ck)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(ck)
	r.Header.Set("Accept-Language", "en-US")
	if got := do(t, s, r).Header().Get("Location"); got != "/zh/" {
		t.Errorf("after visiting /zh/: / redirects to %q, want /zh/", got)
	}
}

func TestHealthz(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/healthz")
	wantStatus(t, w, http.StatusOK)
	s.cfg.DB.Close()
	w = get(t, s, "/healthz")
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("with the database closed: status %d, want 503", w.Code)
	}
}

// A cluster node's /healthz names the node and each dependency, and
// answers 503 naming the one that is down; /metrics carries the node label.
func TestHealthzNamesNodeAndDependencies(t *testing.T) {
	var down atomic.Bool
	s := newTestServer(t, func(c *Config) {
		c.Node = "node-a"
		c.Health = []HealthCheck{{Name: "nats", Check: func(context.Context) error {
			if down.Load() {
				return errors.New("nats connection RECONNECTING")
			}
			return nil
		}}}
	})
	w := get(t, s, "/healthz")
	if w.Code != http.StatusOK || w.Body.String() != "ok\nnode: node-a\nnats: ok\n" {
		t.Errorf("healthy: %d %q", w.Code, w.Body.String())
	}
	m := get(t, s, "/metrics").Body.String()
	for _, want := range []string{`switchboard_node_info{node="node-a"} 1`, `switchboard_dependency_up{dependency="nats",node="node-a"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	down.Store(true)
	w = get(t, s, "/healthz")
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != "nats unavailable\nnode: node-a\n" {
		t.Errorf("NATS down: %d %q, want 503 naming nats", w.Code, w.Body.String())
	}
}

// An engine-only node serves the engine's endpoints and no portal pages.
func TestEngineOnlyRoutes(t *testing.T) {
	engine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "engine") })
	s := newTestServer(t, func(c *Config) { c.EngineOnly, c.Engine, c.ServerAPI = true, engine, engine })
	for _, tt := range []struct {
		path string
		code int
	}{{"/healthz", 200}, {"/metrics", 200}, {"/v1/ws", 200}, {"/v1/api/channels", 200}, {"/en/", 404}, {"/en/docs/overview", 404}, {"/", 404}} {
		if w := get(t, s, tt.path); w.Code != tt.code {
			t.Errorf("%s: %d, want %d", tt.path, w.Code, tt.code)
		}
	}
}

func TestHomePages(t *testing.T) {
	s := newTestServer(t)
	for _, tt := range []struct{ path, htmlLang, text string }{
		{"/en/", `<html lang="en">`, "Read the docs"},
		{"/zh/", `<html lang="zh-CN">`, "阅读文档"},
	} {
		w := get(t, s, tt.path)
		wantStatus(t, w, http.StatusOK)
		wantBody(t, tt.path, w.Body.String(), tt.htmlLang, tt.text)
	}
	// "/en" without the slash goes to the home page.
	w := get(t, s, "/zh")
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/zh/" {
		t.Errorf("/zh: %d to %q, want 301 to /zh/", w.Code, w.Header().Get("Location"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t)
	for _, p := range []string{"/en/docs/", "/zh/docs/overview", "/en/docs/no-such-page", "/api/search?q=x&lang=en"} {
		t.Run(p, func(t *testing.T) {
			h := get(t, s, p).Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP %q allows inline script or eval", csp)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" {
				t.Errorf("Referrer-Policy %q", got)
			}
		})
	}
}

// The pages themselves must obey the CSP: no inline script, no inline
// event handlers, no style attributes.
func TestPagesHaveNoInlineScript(t *testing.T) {
	s := newTestServer(t)
	for _, p := range []string{"/en/", "/zh/", "/en/docs/", "/zh/docs/contributing", "/en/search?q=presence", "/en/docs/nope"} {
		body := get(t, s, p).Body.String()
		lower := strings.ToLower(body)
		for i := 0; ; {
			j := strings.Index(lower[i:], "<script")
			if j < 0 {
				break
			}
			tag := lower[i+j : i+j+strings.Index(lower[i+j:], ">")]
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s: inline script %q", p, tag)
			}
			i += j + len(tag)
		}
		for _, bad := range []string{" onclick=", " onload=", " onerror=", " style=", "javascript:"} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s: contains %q, which the CSP blocks", p, bad)
			}
		}
	}
}

func TestGzip(t *testing.T) {
	s := newTestServer(t)
	plain := get(t, s, "/en/docs/overview")
	w := get(t, s, "/en/docs/overview", "Accept-Encoding", "gzip")
	wantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", got)
	}
	if w.Body.Len() >= plain.Body.Len()/2 {
		t.Errorf("gzipped page is %d bytes, plain %d: not compressed", w.Body.Len(), plain.Body.Len())
	}
	if plain.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip sent to a client that did not ask for it")
	}
}

// HEAD must answer like GET, without a body, on a real connection.
func TestHead(t *testing.T) {
	s := newTestServer(t)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/en/docs/overview", 200},
		{"/healthz", 200},
		{"/en/docs/missing", 404},
	} {
		res, err := http.Head(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("HEAD %s: status %d, want %d", tt.path, res.StatusCode, tt.want)
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s: %d bytes of body", tt.path, len(body))
		}
	}
	res, err := http.Head(ts.URL + "/en/docs/overview")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("ETag") == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("HEAD headers differ from GET: %v", res.Header)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newTestServer(t)
	r := httptest.NewRequest(http.MethodDelete, "/en/docs/overview", nil)
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("a", 43)})
	r.Header.Set(csrfHeader, strings.Repeat("a", 43))
	w := do(t, s, r)
	if w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusNotFound {
		t.Errorf("DELETE a docs page: status %d, want 405 or 404", w.Code)
	}
}

// A handler's panic is a 500 page, and the log says where it happened.
func TestPanicLogsStack(t *testing.T) {
	var logs strings.Builder
	s := newTestServer(t, func(cfg *Config) { cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	s.echo.GET("/en/test-panic", func(echo.Context) error { panicForTest(); return nil })
	wantStatus(t, get(t, s, "/en/test-panic"), http.StatusInternalServerError)
	out := logs.String()
	wantBody(t, "log", out, "request failed", "panic serving /en/test-panic: boom", "stack=", "portal.panicForTest")
}

func panicForTest() { panic("boom") }
