package portal

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

// getAs requests target with a CSRF cookie and the given headers.
func getAs(t *testing.T, s *Server, target, token string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
	return do(t, s, r, hdr...)
}

// gunzip decodes a response body, checking the CRC-32 and length.
func gunzip(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if got := w.Result().Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", got)
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return string(b)
}

// Anonymous pages come from the cache, gzip-compressed ahead of time: the
// compressed page is exactly the plain one, each reader's carries their
// own token, and Content-Length is right for both.
func TestAnonymousPagesFromCache(t *testing.T) {
	env := newStatusEnv(t)
	tokA, tokB := strings.Repeat("A", 43), strings.Repeat("b", 20)+"-_"+strings.Repeat("9", 21)
	for _, p := range []string{"/en/docs/overview", "/zh/docs/overview", "/en/docs/", "/en/", "/zh/", "/en/status", "/zh/status"} {
		t.Run(p, func(t *testing.T) {
			before := env.s.anonPages.len()
			plainA := getAs(t, env.s, p, tokA)
			wantStatus(t, plainA, http.StatusOK)
			if env.s.anonPages.len() != before+1 {
				t.Errorf("cache holds %d pages after the first request, want %d", env.s.anonPages.len(), before+1)
			}
			gzA := getAs(t, env.s, p, tokA, "Accept-Encoding", "gzip")
			gzB := getAs(t, env.s, p, tokB, "Accept-Encoding", "gzip, br")
			if env.s.anonPages.len() != before+1 {
				t.Errorf("cache holds %d pages, want %d: a variant was rendered again", env.s.anonPages.len(), before+1)
			}
			for _, w := range []*httptest.ResponseRecorder{plainA, gzA, gzB} {
				if n, _ := strconv.Atoi(w.Result().Header.Get("Content-Length")); n != w.Body.Len() {
					t.Errorf("Content-Length %d, body %d bytes", n, w.Body.Len())
				}
			}
			a := gunzip(t, gzA)
			if a != plainA.Body.String() {
				t.Errorf("gzip page (%d bytes) differs from the plain page (%d bytes)", len(a), plainA.Body.Len())
			}
			if gzA.Body.Len() > len(a)/3 {
				t.Errorf("compressed %d bytes to %d", len(a), gzA.Body.Len())
			}
			b := gunzip(t, gzB)
			wantBody(t, "reader A", a, `<meta name="csrf-token" content="`+tokA+`">`)
			wantBody(t, "reader B", b, `<meta name="csrf-token" content="`+tokB+`">`)
			if strings.Contains(b, tokA) || strings.Contains(a, csrfPlaceholder) || strings.Contains(b, csrfPlaceholder) {
				t.Error("a page carries another reader's token or the placeholder")
			}
			if gzA.Header().Get("ETag") == gzB.Header().Get("ETag") {
				t.Error("two readers with different tokens got the same ETag")
			}
			r := httptest.NewRequest(http.MethodGet, p, nil)
			r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tokA})
			r.Header.Set("If-None-Match", gzA.Header().Get("ETag"))
			wantStatus(t, do(t, env.s, r), http.StatusNotModified)
		})
	}

	// A signed-in reader gets a fresh page with their own header.
	staff := env.user(t, "Page Staff", forum.RoleAdmin)
	n := env.s.anonPages.len()
	w := env.get(t, "/en/status", staff)
	wantBody(t, "signed in", w.Body.String(), "data-logout", "/en/status/incidents/new")
	if env.s.anonPages.len() != n {
		t.Error("a signed-in reader's page went into the anonymous cache")
	}
}

// The docs feedback form works without JavaScript from a cached,
// compressed page: its token is the reader's.
func TestCachedDocsPageFormPosts(t *testing.T) {
	s := newTestServer(t)
	tok := strings.Repeat("f", 43)
	page := gunzip(t, getAs(t, s, "/en/docs/overview", tok, "Accept-Encoding", "gzip"))
	m := regexp.MustCompile(`action="/en/docs/feedback">\s*<input type="hidden" name="_csrf" value="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no feedback form with a token")
	}
	form := url.Values{"_csrf": {m[1]}, "path": {"overview"}, "helpful": {"yes"}}
	r := httptest.NewRequest(http.MethodPost, "/en/docs/feedback", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	w := do(t, s, r)
	wantStatus(t, w, http.StatusSeeOther)
	loc, _, _ := strings.Cut(w.Header().Get("Location"), "#") // a browser keeps the fragment to itself
	wantBody(t, "thanks page", getAs(t, s, loc, tok).Body.String(), "feedback-thanks")
}

// A cookie that is not a token the server issues is never spliced into a
// page: the reader gets a fresh token.
func TestForeignCSRFCookieReplaced(t *testing.T) {
	s := newTestServer(t)
	bad := `x"><script>alert(1)</script>` + strings.Repeat("x", 32)
	r := httptest.NewRequest(http.MethodGet, "/en/docs/overview", nil)
	r.Header.Set("Cookie", csrfCookie+"="+bad)
	w := do(t, s, r)
	wantStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "<script>alert") {
		t.Fatal("the cookie's value was written into the page")
	}
	var issued string
	for _, c := range w.Result().Cookies() {
		if c.Name == csrfCookie {
			issued = c.Value
		}
	}
	if !validToken(issued) {
		t.Fatalf("issued token %q", issued)
	}
	wantBody(t, "fresh token", w.Body.String(), `<meta name="csrf-token" content="`+issued+`">`)
}

// A cached page changes as soon as what it shows does: a new question
// about a docs page, a posted incident.
func TestAnonymousPagesInvalidated(t *testing.T) {
	s, _ := newForumServer(t)
	tok := strings.Repeat("i", 43)
	wantBody(t, "before", getAs(t, s, "/en/docs/overview", tok).Body.String(), "docs-forum")
	asker := newBrowser(t, s)
	asker.signup("docs@example.com", "Docs Asker")
	form := url.Values{"category": {"1"}, "title": {"Question about the overview page"}, "body": {"What does the overview say?"},
		"lang": {"en"}, "docs": {"/docs/overview"}}
	wantStatus(t, asker.post("/en/forum/new", form, true), http.StatusSeeOther)
	wantBody(t, "after a question", getAs(t, s, "/en/docs/overview", tok).Body.String(), "Question about the overview page")
	wantBody(t, "after a question, gzip", gunzip(t, getAs(t, s, "/en/docs/overview", tok, "Accept-Encoding", "gzip")),
		"Question about the overview page")

	env := newStatusEnv(t)
	staff := env.user(t, "Inv Staff", forum.RoleAdmin)
	wantBody(t, "status before", getAs(t, env.s, "/en/status", tok).Body.String(), "data-fault-stats")
	start := env.now.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05")
	inc := url.Values{"title": {"Cached page incident"}, "severity": {"minor"}, "components": {"messaging"},
		"started_at": {start}, "status": {"investigating"}, "message": {"Looking."}}
	wantStatus(t, env.post(t, "/en/status/incidents", inc, testCSRF, staff), http.StatusSeeOther)
	wantBody(t, "status after", getAs(t, env.s, "/en/status", tok).Body.String(), "Cached page incident")
}
