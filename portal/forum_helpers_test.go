package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/forum"
)

// newForumServer is newTestServer with a forum store on the same database:
// cheap password hashing and posting intervals short enough for tests. It
// returns the store too, to create users with roles.
func newForumServer(t testing.TB, opts ...func(*Config)) (*Server, *forum.Store) {
	t.Helper()
	return newTestServerWithLimits(t, forum.Limits{TopicInterval: time.Nanosecond, ReplyInterval: time.Nanosecond,
		NewUserTopicsPerDay: 1000, NewUserRepliesPerDay: 1000}, opts...)
}

// newTestServerWithLimits is newForumServer with the given posting limits
// (zero fields: the forum's defaults).
func newTestServerWithLimits(t testing.TB, lim forum.Limits, opts ...func(*Config)) (*Server, *forum.Store) {
	t.Helper()
	return newForumServerCtx(t, context.Background(), lim, opts...)
}

// newForumServerCtx is newTestServerWithLimits with the server's context.
func newForumServerCtx(t testing.TB, ctx context.Context, lim forum.Limits, opts ...func(*Config)) (*Server, *forum.Store) {
	t.Helper()
	var st *forum.Store
	s := newTestServerCtx(t, ctx, append([]func(*Config){func(cfg *Config) {
		var err error
		st, err = forum.Open(context.Background(), cfg.DB, forum.Config{
			Renderer: content.NewPostRenderer(nil),
			Logger:   cfg.Logger,
			Password: forum.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1},
			Limits:   lim,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Seed(context.Background(), forum.SeedOptions{}); err != nil {
			t.Fatal(err)
		}
		cfg.Forum = st
	}}, opts...)...)
	return s, st
}

// browser is a client with a cookie jar and the page's CSRF token, talking
// to the handler directly.
type browser struct {
	t       testing.TB
	s       *Server
	cookies map[string]*http.Cookie
	ip      string
}

func newBrowser(t testing.TB, s *Server) *browser {
	b := &browser{t: t, s: s, cookies: map[string]*http.Cookie{}, ip: "192.0.2.1:1234"}
	b.get("/en/forum") // issues the CSRF cookie
	return b
}

func (b *browser) do(r *http.Request) *httptest.ResponseRecorder {
	b.t.Helper()
	r.RemoteAddr = b.ip
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.s.Handler().ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return w
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// post submits a form with the CSRF token (unless csrf is false).
func (b *browser) post(target string, form url.Values, csrf bool) *httptest.ResponseRecorder {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("_csrf", b.cookies[csrfCookie].Value)
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

// signup creates an account through the form and leaves the browser
// logged in.
func (b *browser) signup(email, name string) {
	b.t.Helper()
	w := b.post("/en/signup", url.Values{"email": {email}, "name": {name}, "password": {"correct horse battery"}}, true)
	if w.Code != http.StatusSeeOther {
		b.t.Fatalf("signup: status %d, want 303; body:\n%.800s", w.Code, w.Body.String())
	}
}

func (b *browser) login(email string) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.post("/en/login", url.Values{"email": {email}, "password": {"correct horse battery"}}, true)
}

// ask posts a question and returns the topic's address.
func (b *browser) ask(title, body string) string {
	b.t.Helper()
	w := b.post("/en/forum/new", url.Values{"category": {"1"}, "title": {title}, "body": {body}, "lang": {"en"}, "tags": {"go, sdk"}}, true)
	if w.Code != http.StatusSeeOther {
		b.t.Fatalf("ask: status %d, want 303; body:\n%.800s", w.Code, w.Body.String())
	}
	return w.Header().Get("Location")
}

// userWithRole creates an account with a role directly in the store and
// logs a new browser in as it.
func userWithRole(t testing.TB, s *Server, st *forum.Store, email, name string, role forum.Role) *browser {
	t.Helper()
	if _, err := st.CreateUser(context.Background(), forum.SignUp{Email: email, Name: name, Password: "correct horse battery"}, role); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.ip = "192.0.2." + string(rune('2'+len(name)%7)) + ":1"
	if w := b.login(email); w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: status %d; body:\n%.500s", email, w.Code, w.Body.String())
	}
	return b
}

func mustAtoi(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
