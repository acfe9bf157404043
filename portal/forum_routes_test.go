package portal

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

func TestSignupLoginLogout(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("ada@example.com", "Ada Lovelace")
	w := b.get("/en/forum")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "forum after signup", w.Body.String(), "Ada Lovelace", "Log out", `action="/en/logout"`)

	w = b.post("/en/logout", nil, true)
	wantStatus(t, w, http.StatusSeeOther)
	if _, ok := b.cookies[sessionCookie]; ok {
		t.Fatal("session cookie still set after logout")
	}
	w = b.get("/en/forum")
	if strings.Contains(w.Body.String(), "Ada Lovelace") {
		t.Error("still signed in after logout")
	}

	// A wrong password keeps the e-mail in the form and says why.
	w = b.post("/en/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong password!"}}, true)
	wantStatus(t, w, http.StatusUnauthorized)
	wantBody(t, "bad login", w.Body.String(), "The email address or password is incorrect.", `value="ada@example.com"`)

	w = b.login("ada@example.com")
	wantStatus(t, w, http.StatusSeeOther)
	if got := b.get("/zh/forum").Body.String(); !strings.Contains(got, "退出登录") {
		t.Error("zh page after login lacks 退出登录")
	}
}

func TestSignupInvalidKeepsInput(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	w := b.post("/zh/signup", url.Values{"email": {"bob@example.com"}, "name": {"鲍勃"}, "password": {"short"}}, true)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "short password", w.Body.String(), `value="bob@example.com"`, `value="鲍勃"`, "10")
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s, _ := newForumServer(t, func(c *Config) { c.SecureCookies = secure })
		b := newBrowser(t, s)
		w := b.post("/en/signup", url.Values{"email": {"c@example.com"}, "name": {"Cee"}, "password": {"correct horse battery"}}, true)
		wantStatus(t, w, http.StatusSeeOther)
		var ck *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == sessionCookie {
				ck = c
			}
		}
		if ck == nil {
			t.Fatal("no session cookie")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure || len(ck.Value) < 40 {
			t.Errorf("secure=%v: cookie HttpOnly=%v SameSite=%v Secure=%v len=%d, want HttpOnly, Lax, Secure=%v, random ID",
				secure, ck.HttpOnly, ck.SameSite, ck.Secure, len(ck.Value), secure)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	var w = b.login("nobody@example.com")
	for i := 0; i < 10 && w.Code != http.StatusTooManyRequests; i++ {
		w = b.login("nobody@example.com")
	}
	wantStatus(t, w, http.StatusTooManyRequests)
	if w.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	wantBody(t, "throttled", w.Body.String(), "Too many", `value="nobody@example.com"`)
	w = b.post("/zh/login", url.Values{"email": {"nobody@example.com"}, "password": {"x"}}, true)
	wantStatus(t, w, http.StatusTooManyRequests)
	// The wait is written for people ("15 分钟"), not in raw seconds.
	if !regexp.MustCompile(`请在 \d+ (秒|分钟|小时)( \d+ (秒|分钟))?后重试`).MatchString(w.Body.String()) {
		t.Errorf("throttled zh: no wait in words; body:\n%s", w.Body.String())
	}
}

func TestAskReplyAndTopicPage(t *testing.T) {
	s, _ := newForumServer(t)
	asker := newBrowser(t, s)
	asker.signup("asker@example.com", "Asker")
	loc := asker.ask("How do I reconnect the Go SDK?", "My client drops.\n\n```go\nclient.Connect(ctx)\n```\n")
	if !strings.HasPrefix(loc, "/en/forum/t/") || !strings.HasSuffix(loc, "-how-do-i-reconnect-the-go-sdk") {
		t.Fatalf("topic address %q", loc)
	}
	w := asker.get(loc)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "topic", w.Body.String(), "How do I reconnect the Go SDK?", "<pre", "Connect", `name="_csrf"`)

	// A wrong slug redirects to the canonical address.
	id := strings.TrimPrefix(loc, "/en/forum/t/")
	id, _, _ = strings.Cut(id, "-")
	w = asker.get("/en/forum/t/" + id + "-wrong")
	wantStatus(t, w, http.StatusMovedPermanently)
	if got := w.Header().Get("Location"); got != loc {
		t.Errorf("redirect to %q, want %q", got, loc)
	}

	helper := newBrowser(t, s)
	helper.ip = "192.0.2.9:1"
	helper.signup("helper@example.com", "Helper")
	w = helper.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Call **Reconnect** after a drop."}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	if !strings.HasSuffix(w.Header().Get("Location"), "#post-2") {
		t.Errorf("reply redirect %q, want #post-2", w.Header().Get("Location"))
	}
	w = helper.get(loc)
	wantBody(t, "topic with reply", w.Body.String(), "<strong>Reconnect</strong>", `id="post-2"`)

	// The list shows it.
	w = helper.get("/en/forum")
	wantBody(t, "list", w.Body.String(), "How do I reconnect the Go SDK?", "1 reply")

	// A too-short reply keeps the text and says why.
	w = helper.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"ok"}}, true)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "short reply", w.Body.String(), "at least", ">ok</textarea>")

	// Preview without JavaScript re-renders the form with the preview.
	w = helper.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Try *this* first"}, "action": {"preview"}}, true)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "preview", w.Body.String(), "<em>this</em>", ">Try *this* first</textarea>")
}

func TestAnonymousRedirectedToLogin(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	w := b.get("/en/forum/new")
	wantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != "/en/login?next=%2Fen%2Fforum%2Fnew" {
		t.Errorf("Location %q", got)
	}
	w = b.post("/en/forum/new", url.Values{"title": {"A question here"}, "body": {"Some body text"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	if !strings.HasPrefix(w.Header().Get("Location"), "/en/login") {
		t.Errorf("Location %q, want the login form", w.Header().Get("Location"))
	}
}

// Every state-changing forum form is refused without the CSRF token.
func TestForumFormsNeedCSRF(t *testing.T) {
	s, st := newForumServer(t)
	admin := userWithRole(t, s, st, "root@example.com", "Root", forum.RoleAdmin)
	loc := admin.ask("A topic to act on", "Some question text")
	id := strings.TrimPrefix(loc, "/en/forum/t/")
	id, _, _ = strings.Cut(id, "-")
	paths := []string{
		"/en/signup", "/en/login", "/en/logout", "/en/reset/abc",
		"/en/forum/new", "/en/forum/preview",
		"/en/forum/t/" + id + "/reply", "/en/forum/t/" + id + "/close", "/en/forum/t/" + id + "/reopen",
		"/en/forum/t/" + id + "/lock", "/en/forum/t/" + id + "/pin", "/en/forum/t/" + id + "/watch",
		"/en/forum/t/" + id + "/unaccept",
		"/en/forum/p/1/accept", "/en/forum/p/1/vote", "/en/forum/p/1/flag", "/en/forum/p/1/delete", "/en/forum/p/1/edit",
		"/en/forum/flags/1", "/en/u/root", "/en/u/root/suspend", "/en/u/root/unsuspend", "/en/notifications/read",
		"/en/admin/users/1/role", "/en/admin/users/1/reset", "/en/admin/categories", "/en/admin/categories/1",
	}
	for _, p := range paths {
		w := admin.post(p, url.Values{"body": {"text that would be posted"}, "on": {"1"}}, false)
		if w.Code != http.StatusForbidden {
			t.Errorf("POST %s without CSRF token: status %d, want 403", p, w.Code)
		}
	}
	// Nothing happened: the topic is neither locked nor replied to.
	w := admin.get(loc)
	if strings.Contains(w.Body.String(), "data-locked") || strings.Contains(w.Body.String(), "text that would be posted") {
		t.Error("a request without CSRF token changed the topic")
	}
}

func TestPostsRenderSanitized(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("x@example.com", "Xavier")
	body := "Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<a href=\"javascript:alert(4)\">a</a>"
	loc := b.ask("Sanitizer check topic", body)
	w := b.get(loc)
	wantStatus(t, w, http.StatusOK)
	page := w.Body.String()
	i := strings.Index(page, `class="post-body"`)
	if i < 0 {
		t.Fatal("no post body")
	}
	post := page[i:]
	post = post[:strings.Index(post, "</article>")]
	for _, bad := range []string{"<script", "onerror", "javascript:"} {
		if strings.Contains(strings.ToLower(post), bad) {
			t.Errorf("rendered post contains %q:\n%s", bad, post)
		}
	}
	wantBody(t, "xss", post, "Hello")
}

func TestAuthorizationOverHTTP(t *testing.T) {
	s, st := newForumServer(t)
	member := newBrowser(t, s)
	member.signup("m@example.com", "Member")
	loc := member.ask("Who may lock this?", "Question text here")
	id := strings.TrimPrefix(loc, "/en/forum/t/")
	id, _, _ = strings.Cut(id, "-")

	// A member cannot lock, not even their own topic.
	w := member.post("/en/forum/t/"+id+"/lock", url.Values{"on": {"1"}}, true)
	wantStatus(t, w, http.StatusForbidden)

	other := userWithRole(t, s, st, "o@example.com", "Other", forum.RoleMember)
	w = other.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"An answer from a member"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	tv, err := st.TopicPage(context.Background(), mustAtoi(t, id))
	if err != nil {
		t.Fatal(err)
	}
	reply := tv.Replies[0].ID
	// Another member cannot accept; staff can.
	w = other.post("/en/forum/p/"+itoa(reply)+"/accept", nil, true)
	wantStatus(t, w, http.StatusForbidden)
	staff := userWithRole(t, s, st, "s@example.com", "Stella", forum.RoleStaff)
	w = staff.post("/en/forum/p/"+itoa(reply)+"/accept", nil, true)
	wantStatus(t, w, http.StatusSeeOther)
	w = member.get(loc)
	wantBody(t, "accepted", w.Body.String(), "data-solved", "Accepted answer", `class="accepted-top"`)

	// Staff replies carry the Official badge.
	staff.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Official word on this"}}, true)
	w = member.get(loc)
	wantBody(t, "official", w.Body.String(), "data-official")

	// A moderator can lock.
	mod := userWithRole(t, s, st, "mod@example.com", "Moe", forum.RoleModerator)
	w = mod.post("/en/forum/t/"+id+"/lock", url.Values{"on": {"1"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	wantBody(t, "locked", member.get(loc).Body.String(), "data-locked")

	// Anonymous readers see the page but no action buttons.
	anon := newBrowser(t, s)
	w = anon.get(loc)
	wantStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "data-accept>") || strings.Contains(w.Body.String(), "data-lock>") {
		t.Errorf("anonymous page shows action buttons:\n%s", w.Body.String())
	}
}

func TestForumFeeds(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("f@example.com", "Feeder")
	b.ask("Feed topic number one", "Body of the first topic")
	for _, p := range []string{"/forum/latest.atom", "/en/forum/latest.atom", "/en/forum/unanswered.atom", "/en/forum/unsolved.atom",
		"/en/forum/c/getting-started.atom", "/en/forum/tag/go.atom"} {
		w := b.get(p)
		wantStatus(t, w, http.StatusOK)
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		var feed struct {
			Entries []struct {
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &feed); err != nil {
			t.Fatalf("%s: not XML: %v", p, err)
		}
		if len(feed.Entries) != 1 || feed.Entries[0].Title != "Feed topic number one" || !strings.Contains(feed.Entries[0].Link.Href, "/en/forum/t/") {
			t.Errorf("%s: entries %+v, want the one topic", p, feed.Entries)
		}
	}
}

func TestAPISearchFindsTopicByTwoChineseCharacters(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("zh@example.com", "小王")
	w := b.post("/zh/forum/new", url.Values{"category": {"1"}, "title": {"断线以后怎样重连"}, "body": {"客户端断线后没有自动重连，怎么办？"}, "lang": {"zh"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	w = b.get("/api/search?lang=zh&q=" + url.QueryEscape("重连"))
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "api search", w.Body.String(), `"kind":"topic"`, "断线以后怎样重连", "/zh/forum/t/")
	// And the forum's own search page.
	w = b.get("/zh/forum/search?q=" + url.QueryEscape("重连"))
	wantBody(t, "forum search", w.Body.String(), "断线以后怎样重连", `data-hits="1"`)
}

// Anonymous readers get a cached page: it must change as soon as the topic
// does, and carry each reader's own CSRF token.
func TestAnonymousTopicPageCache(t *testing.T) {
	s, st := newForumServer(t)
	asker := newBrowser(t, s)
	asker.signup("a@example.com", "Asker")
	loc := asker.ask("Cached page question", "Question body text")
	id := strings.TrimPrefix(loc, "/en/forum/t/")
	id, _, _ = strings.Cut(id, "-")

	anon1, anon2 := newBrowser(t, s), newBrowser(t, s)
	w1 := anon1.get(loc)
	wantStatus(t, w1, http.StatusOK)
	wantBody(t, "anon 1", w1.Body.String(), `<meta name="csrf-token" content="`+anon1.cookies[csrfCookie].Value+`">`)
	w2 := anon2.get(loc)
	wantBody(t, "anon 2", w2.Body.String(), `<meta name="csrf-token" content="`+anon2.cookies[csrfCookie].Value+`">`)
	if w1.Header().Get("ETag") == w2.Header().Get("ETag") {
		t.Error("two readers with different tokens got the same ETag")
	}
	r := httptest.NewRequest(http.MethodGet, loc, nil)
	r.Header.Set("If-None-Match", w1.Header().Get("ETag"))
	wantStatus(t, anon1.do(r), http.StatusNotModified)

	other := userWithRole(t, s, st, "o@example.com", "Other", forum.RoleMember)
	other.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"A brand new answer"}}, true)
	wantBody(t, "after reply", anon1.get(loc).Body.String(), "A brand new answer", "1 reply")
	tv, _ := st.TopicPage(context.Background(), mustAtoi(t, id))
	other2 := userWithRole(t, s, st, "v@example.com", "Voter", forum.RoleMember)
	other2.post("/en/forum/p/"+itoa(tv.Question.ID)+"/vote", url.Values{"up": {"1"}}, true)
	wantBody(t, "after vote", anon1.get(loc).Body.String(), `<span data-score>1</span>`)

	// Signed-in readers' posts come from a per-post cache: their forms carry
	// their own token, never the placeholder or someone else's.
	for _, b := range []*browser{other, other2} {
		page := b.get(loc).Body.String()
		if strings.Contains(page, csrfPlaceholder) {
			t.Fatal("page contains the CSRF placeholder")
		}
		wantBody(t, "signed-in vote form", page, `action="/en/forum/p/`+itoa(tv.Question.ID)+`/vote"><input type="hidden" name="_csrf" value="`+b.cookies[csrfCookie].Value+`">`)
	}
}

// Each server has its own page and post caches: what one renders never
// shows up in another's.
func TestTopicCachesBelongToTheirServer(t *testing.T) {
	s1, st := newForumServer(t)
	s2, _ := newForumServer(t)
	asker := userWithRole(t, s1, st, "c@example.com", "Cara", forum.RoleMember)
	loc := asker.ask("Cache ownership question", "Question body text")
	wantStatus(t, newBrowser(t, s1).get(loc), http.StatusOK) // anonymous: the page cache
	wantStatus(t, asker.get(loc), http.StatusOK)             // signed in: the post cache
	if s1.anonPages.len() == 0 || s1.postFragments.len() == 0 {
		t.Fatalf("server 1 cached %d pages and %d posts, want some of each", s1.anonPages.len(), s1.postFragments.len())
	}
	if n, m := s2.anonPages.len(), s2.postFragments.len(); n != 0 || m != 0 {
		t.Errorf("server 2 holds %d pages and %d posts it never rendered", n, m)
	}
}

// With the real posting limits, a second reply within 5 s is refused with
// 429, Retry-After and the localized wait, and the text stays in the form.
func TestReplyRateLimitKeepsText(t *testing.T) {
	s, st := newTestServerWithLimits(t, forum.Limits{})
	a := userWithRole(t, s, st, "r@example.com", "Rita", forum.RoleMember)
	loc := a.ask("Rate limited topic", "Question body text")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	wantStatus(t, a.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"First reply text"}}, true), http.StatusSeeOther)
	w := a.post("/zh/forum/t/"+id+"/reply", url.Values{"body": {"Second reply, too soon"}}, true)
	wantStatus(t, w, http.StatusTooManyRequests)
	if w.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	wantBody(t, "rate limited reply", w.Body.String(), ">Second reply, too soon</textarea>", "秒", "data-form-error")
}

// In -dev mode the docs and their index are rebuilt on every request; the
// forum's topics must still be found.
func TestAPISearchFindsTopicsInDevMode(t *testing.T) {
	s, _ := newForumServer(t, func(c *Config) { c.Dev = true })
	b := newBrowser(t, s)
	b.signup("dev@example.com", "Dev")
	b.ask("Devmode searchable topic", "Body text for the dev index")
	w := b.get("/api/search?lang=en&q=Devmode")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "dev search", w.Body.String(), `"kind":"topic"`, "Devmode searchable topic")
}

// The forum indexer follows changes in the server's context: while it
// lasts, new topics are found; once it ends, the indexer stops.
func TestForumIndexerStopsWithServerContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := newForumServerCtx(t, ctx, forum.Limits{TopicInterval: time.Nanosecond, NewUserTopicsPerDay: 1000})
	b := newBrowser(t, s)
	b.signup("idx@example.com", "Indexer")
	b.ask("Zebrafish question before", "Body text for the index")
	wantBody(t, "search while serving", b.get("/api/search?lang=en&q=Zebrafish").Body.String(), "Zebrafish question before")
	cancel()
	b.ask("Okapi question after", "Body text for the index")
	if body := b.get("/api/search?lang=en&q=Okapi").Body.String(); strings.Contains(body, "Okapi question after") {
		t.Errorf("a topic asked after the server's context ended was indexed: %s", body)
	}
}
