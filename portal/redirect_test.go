package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// redirectAttacks are targets that browsers take off-site, or that hide
// such a target behind escapes.
var redirectAttacks = []string{
	"/%09/evil.example",
	"/%0a/evil.example",
	"/%0d/evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"\\\\evil.example",
	"/%2F/evil.example",
	"/%2f%2fevil.example",
	"https://evil.example/",
	"http:evil.example",
	"javascript:alert(1)",
	" //evil.example",
	"\t//evil.example",
	"evil.example",
	"/\x00/evil.example",
	"/%00",
	"/\u0085/evil.example",
	"/\xff",
	"/" + strings.Repeat("a", maxRedirectLen),
}

func TestSafeNext(t *testing.T) {
	const fallback = "/en/forum"
	for _, next := range redirectAttacks {
		if got := safeNext(next, fallback); got != fallback {
			t.Errorf("safeNext(%q) = %q, want the fallback %q", next, got, fallback)
		}
	}
	for _, next := range []string{
		"/en/forum/t/9-hello",
		"/en/forum/t/9-hello?page=2#post-3",
		"/zh/docs/quickstart-js",
		"/en/forum/search?q=a%2Fb",
		"/en/u/%E5%BC%A0%E4%B8%89",
		"/zh/forum/tag/频道",
	} {
		if got := safeNext(next, fallback); got != next {
			t.Errorf("safeNext(%q) = %q, want it unchanged", next, got)
		}
	}
}

// FuzzSafeNext checks that whatever safeNext lets through stays on this
// origin in a browser, which drops tabs and newlines and reads "\" as "/"
// (WHATWG URL parsing).
func FuzzSafeNext(f *testing.F) {
	for _, s := range redirectAttacks {
		f.Add(s)
	}
	f.Add("/en/forum/t/1?x=1#y")
	const fallback = "/fallback"
	base, _ := url.Parse("https://portal.example/en/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next, fallback)
		if got == fallback {
			return
		}
		if got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor the fallback", next, got)
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		for _, s := range []string{got, browser} {
			ref, err := url.Parse(s)
			if err != nil {
				t.Fatalf("safeNext(%q) accepted %q, which does not parse: %v", next, s, err)
			}
			if u := base.ResolveReference(ref); u.Host != base.Host || u.Scheme != base.Scheme {
				t.Fatalf("safeNext(%q) accepted %q, which leads to %s", next, s, u)
			}
			if dec, err := url.PathUnescape(ref.EscapedPath()); err == nil && strings.HasPrefix(dec, "//") {
				t.Fatalf("safeNext(%q) accepted %q, whose path decodes to %q", next, s, dec)
			}
		}
	})
}

// TestRedirectParameters follows every redirect parameter through its
// form: an attack falls back to the default page, a local path is kept.
func TestRedirectParameters(t *testing.T) {
	s, _ := newForumServer(t)
	n := 0
	// newAccount signs a fresh browser up (from its own IP) and returns it
	// with its e-mail.
	newAccount := func() (*browser, string) {
		n++
		b := newBrowser(t, s)
		b.ip = "192.0.2." + itoa(int64(n)) + ":1"
		email := "r" + itoa(int64(n)) + "@example.com"
		b.signup(email, "R"+itoa(int64(n)))
		return b, email
	}
	tests := []struct {
		name, field, fallback string
		submit                func(next string) *httptest.ResponseRecorder
	}{
		{name: "login", field: "next", fallback: "/en/forum", submit: func(next string) *httptest.ResponseRecorder {
			b, email := newAccount()
			b.post("/en/logout", nil, true)
			return b.post("/en/login", url.Values{"email": {email}, "password": {"correct horse battery"}, "next": {next}}, true)
		}},
		{name: "sign-up", field: "next", fallback: "/en/forum", submit: func(next string) *httptest.ResponseRecorder {
			n++
			b := newBrowser(t, s)
			b.ip = "192.0.2." + itoa(int64(n)) + ":1"
			return b.post("/en/signup", url.Values{"email": {"s" + itoa(int64(n)) + "@example.com"}, "name": {"S"},
				"password": {"correct horse battery"}, "next": {next}}, true)
		}},
		{name: "notifications", field: "go", fallback: "/en/notifications", submit: func(next string) *httptest.ResponseRecorder {
			b, _ := newAccount()
			return b.post("/en/notifications/read", url.Values{"go": {next}}, true)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, next := range []string{"/%09/evil.example", "/\\evil.example", "//evil.example", "/en/docs/overview?x=1"} {
				w := tt.submit(next)
				wantStatus(t, w, http.StatusSeeOther)
				want := tt.fallback
				if next == "/en/docs/overview?x=1" {
					want = next
				}
				if got := w.Header().Get("Location"); got != want {
					t.Errorf("%s=%q: Location %q, want %q", tt.field, next, got, want)
				}
			}
		})
	}
}
