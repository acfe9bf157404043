package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-rtm/switchboard/content"
)

func TestDocsPages(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		path  string
		lang  string // <html lang>
		title string
		alt   string // the path without language, for hreflang
		text  []string
	}{
		{"/en/docs/", "en", "Switchboard documentation", "/docs/", []string{"Start here"}},
		{"/zh/docs/", "zh-CN", "Switchboard 文档", "/docs/", nil},
		{"/en/docs/overview", "en", "Overview", "/docs/overview", []string{`class="docs-toc"`, `rel="next"`}},
		{"/zh/docs/overview", "zh-CN", "概览", "/docs/overview", []string{"频道", `<article class="docs-article" lang="zh-CN">`}},
		{"/zh/docs/support-sla", "zh-CN", "支持与 SLA", "/docs/support-sla", nil},
		{"/en/docs/changelog", "en", "Changelog", "/docs/changelog", []string{`rel="prev"`}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := get(t, s, tt.path)
			wantStatus(t, w, http.StatusOK)
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			body := w.Body.String()
			wantBody(t, tt.path, body,
				`<html lang="`+tt.lang+`">`,
				"<title>"+tt.title+" · Switchboard</title>",
				"<h1>"+tt.title+"</h1>",
				`<link rel="alternate" hreflang="en" href="/en`+tt.alt+`">`,
				`<link rel="alternate" hreflang="zh-CN" href="/zh`+tt.alt+`">`,
				`<link rel="alternate" hreflang="x-default" href="/en`+tt.alt+`">`,
				// The language switch links to the same page in the other language.
				`<a href="/en`+tt.alt+`" hreflang="en"`,
				`<a href="/zh`+tt.alt+`" hreflang="zh"`,
				`class="edit-link" href="`+DefaultEditURL,
			)
			wantBody(t, tt.path, body, tt.text...)
		})
	}
}

func TestNotFoundIsLocalized(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		path, accept string
		htmlLang     string
		message      string
	}{
		{"/en/docs/no-such-page", "", "en", "We could not find that page."},
		{"/zh/docs/no-such-page", "", "zh-CN", "找不到该页面。"},
		{"/zh/docs/overview/deeper", "en-US", "zh-CN", "找不到该页面。"},
		{"/en/docs/Overview", "", "en", "We could not find that page."},
		{"/en/docs/../../etc/passwd", "", "en", "We could not find that page."},
		// Only en and zh exist; other prefixes fall back to the reader's language.
		{"/fr/docs", "", "en", "We could not find that page."},
		{"/fr/docs/overview", "zh-CN,zh", "zh-CN", "找不到该页面。"},
		{"/no/such/thing", "zh-CN", "zh-CN", "找不到该页面。"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			w := get(t, s, tt.path, "Accept-Language", tt.accept)
			wantStatus(t, w, http.StatusNotFound)
			wantBody(t, tt.path, w.Body.String(), `<html lang="`+tt.htmlLang+`">`, tt.message, `<meta name="robots" content="noindex">`)
		})
	}
}

// A browser asking for /fr/docs/ ends on a 404 page (after the canonical
// slash redirect), never on a docs page.
func TestUnknownLanguage(t *testing.T) {
	ts := httptest.NewServer(newTestServer(t).Handler())
	defer ts.Close()
	for _, p := range []string{"/fr/docs/", "/fr/", "/EN/docs/", "/zh-tw/docs/overview"} {
		res, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: ends with status %d at %s, want 404", p, res.StatusCode, res.Request.URL.Path)
		}
	}
}

// The language switch on an error page must lead somewhere real, even when
// the address had no language in it.
func TestNotFoundLanguageSwitch(t *testing.T) {
	s := newTestServer(t)
	body := get(t, s, "/fr/docs/x").Body.String()
	if strings.Contains(body, `href="/en/fr/`) || strings.Contains(body, `href="/zh/fr/`) {
		t.Errorf("error page for /fr/docs/x links to /en/fr/...:\n%s", body)
	}
	body = get(t, s, "/zh/docs/missing").Body.String()
	wantBody(t, "/zh/docs/missing", body, `<a href="/en/docs/missing" hreflang="en"`)
}

func TestTrailingSlash(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		path     string
		code     int
		location string
	}{
		{"/en/docs/", 200, ""},
		{"/zh/docs/", 200, ""},
		{"/en/", 200, ""},
		{"/en/docs", 301, "/en/docs/"},
		{"/zh", 301, "/zh/"},
		{"/en/docs/overview", 200, ""},
		// One address per page: the slash form redirects to the canonical one.
		{"/en/docs/overview/", 301, "/en/docs/overview"},
		{"/zh/docs/support-sla/", 301, "/zh/docs/support-sla"},
		{"/en/search/?q=presence", 301, "/en/search?q=presence"},
		{"/healthz/", 301, "/healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := get(t, s, tt.path)
			if w.Code != tt.code || w.Header().Get("Location") != tt.location {
				t.Errorf("status %d Location %q, want %d %q", w.Code, w.Header().Get("Location"), tt.code, tt.location)
			}
		})
	}
}

func TestRawMarkdown(t *testing.T) {
	s := newTestServer(t)
	tests := []struct{ path, file, lang string }{
		{"/en/docs/overview.md", "en/overview.md", "en"},
		{"/zh/docs/overview.md", "zh/overview.md", "zh"},
		{"/en/docs/index.md", "en/index.md", "en"},
		{"/zh/docs/support-sla.md", "zh/support-sla.md", "zh"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			want, err := os.ReadFile("../content/docs/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			w := get(t, s, tt.path)
			wantStatus(t, w, http.StatusOK)
			if ct := w.Header().Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
				t.Errorf("Content-Type %q, want text/markdown; charset=utf-8", ct)
			}
			if got := w.Header().Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language %q, want %q", got, tt.lang)
			}
			if w.Body.String() != string(want) {
				t.Errorf("body is not the source of %s:\n%.300s", tt.file, w.Body.String())
			}
		})
	}
	for _, p := range []string{"/en/docs/nope.md", "/en/docs/.md", "/fr/docs/overview.md"} {
		if w := get(t, s, p); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, w.Code)
		}
	}
}

var llmsLink = regexp.MustCompile(`\]\((http://[^)]+)\)`)

func TestLLMsTxt(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/llms.txt")
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	body := w.Body.String()
	if !strings.HasPrefix(body, "# Switchboard\n") {
		t.Errorf("llms.txt does not start with the site's H1:\n%.200s", body)
	}
	links := map[string]bool{}
	for _, m := range llmsLink.FindAllStringSubmatch(body, -1) {
		links[m[1]] = true
	}
	docs, _ := s.currentDocs(context.Background())
	for _, lang := range content.Languages {
		for _, p := range docs.site.Pages(lang) {
			if p.Translation == content.Missing {
				continue // the English entry lists it
			}
			md := "http://example.com" + p.URL() + ".md"
			if p.Path == "" {
				md = "http://example.com" + p.URL() + "index.md"
			}
			if !links[md] {
				t.Errorf("llms.txt does not link %s", md)
			}
			delete(links, md)
		}
	}
	for l := range links {
		t.Errorf("llms.txt links %s, which is no docs page", l)
	}
	// Every link serves Markdown, and no code block that includes a file
	// is empty there (content's TestRawMarkdownHasIncludedCode checks the
	// code itself).
	included := 0
	for _, m := range llmsLink.FindAllStringSubmatch(body, -1) {
		u, _ := url.Parse(m[1])
		r := get(t, s, u.Path)
		if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/markdown") {
			t.Errorf("%s: %d %s", u.Path, r.Code, r.Header().Get("Content-Type"))
		}
		// The contributing guide shows the syntax itself, inside a
		// ````markdown block: that one is meant to be empty.
		if e := emptyInclude.FindString(r.Body.String()); e != "" && !strings.HasSuffix(u.Path, "/contributing.md") {
			t.Errorf("%s: an included code block is empty: %q", u.Path, e)
		}
		included += strings.Count(r.Body.String(), "```go file=") + strings.Count(r.Body.String(), "```js file=")
	}
	if included < 14 {
		t.Errorf("the pages llms.txt links hold %d included code blocks, want at least 14", included)
	}
	md := get(t, s, "/en/docs/engine/quickstart-go.md").Body.String()
	wantBody(t, "Go quick-start Markdown", md, "client.Dial(")
}

// emptyInclude is an opening fence with file= closed on the next line.
var emptyInclude = regexp.MustCompile("(?m)^[ \t>]*```[^\n`]*file=[^\n]*\n[ \t>]*```[ \t]*$")

func TestETag(t *testing.T) {
	s := newTestServer(t)
	ck := &http.Cookie{Name: csrfCookie, Value: strings.Repeat("k", 43)}
	first := func(enc string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/en/docs/overview", nil)
		r.AddCookie(ck)
		return do(t, s, r, "Accept-Encoding", enc)
	}
	for _, enc := range []string{"", "gzip"} {
		t.Run("Accept-Encoding="+enc, func(t *testing.T) {
			w := first(enc)
			wantStatus(t, w, http.StatusOK)
			etag := w.Header().Get("ETag")
			if etag == "" {
				t.Fatal("no ETag on a docs page")
			}
			if again := first(enc).Header().Get("ETag"); again != etag {
				t.Errorf("ETag changed between identical requests: %s, %s", etag, again)
			}
			r := httptest.NewRequest(http.MethodGet, "/en/docs/overview", nil)
			r.AddCookie(ck)
			w = do(t, s, r, "If-None-Match", etag, "Accept-Encoding", enc)
			if w.Code != http.StatusNotModified {
				t.Fatalf("If-None-Match %s: status %d, want 304", etag, w.Code)
			}
			if w.Body.Len() != 0 {
				t.Errorf("304 with %d bytes of body", w.Body.Len())
			}
			if ce := w.Header().Get("Content-Encoding"); ce != "" {
				t.Errorf("304 with Content-Encoding %q and no body", ce)
			}
			r = httptest.NewRequest(http.MethodGet, "/en/docs/overview", nil)
			r.AddCookie(ck)
			if w := do(t, s, r, "If-None-Match", `W/"0000000000000000"`, "Accept-Encoding", enc); w.Code != http.StatusOK {
				t.Errorf("stale ETag: status %d, want 200", w.Code)
			}
		})
	}
	en := get(t, s, "/en/docs/overview").Header().Get("ETag")
	zh := get(t, s, "/zh/docs/overview").Header().Get("ETag")
	if en == zh {
		t.Errorf("English and Chinese pages share ETag %s", en)
	}
}

// feedbackRequest posts a vote as a browser would: the CSRF cookie and the
// token in the form.
func feedbackRequest(lang, path, helpful, cookie, field string) *http.Request {
	form := url.Values{"path": {path}, "helpful": {helpful}}
	if field != "" {
		form.Set(csrfField, field)
	}
	r := httptest.NewRequest(http.MethodPost, "/"+lang+"/docs/feedback", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	}
	return r
}

func TestFeedback(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	tok := strings.Repeat("t", 43)
	other := strings.Repeat("o", 43)

	t.Run("no CSRF token", func(t *testing.T) {
		for _, tt := range []struct{ lang, cookie, field, msg string }{
			{"en", "", "", "Your form has expired"},
			{"zh", "", "", "表单已过期"},
			{"en", tok, "", "Your form has expired"},
			{"zh", tok, other, "表单已过期"},
			{"en", "", tok, "Your form has expired"},
		} {
			w := do(t, s, feedbackRequest(tt.lang, "overview", "yes", tt.cookie, tt.field))
			wantStatus(t, w, http.StatusForbidden)
			wantBody(t, "feedback without CSRF", w.Body.String(), tt.msg)
		}
		if tallies, _ := s.cfg.Feedback.Tallies(ctx); len(tallies) != 0 {
			t.Errorf("votes stored without a CSRF token: %v", tallies)
		}
	})

	t.Run("vote", func(t *testing.T) {
		w := do(t, s, feedbackRequest("en", "overview", "yes", tok, tok))
		wantStatus(t, w, http.StatusSeeOther)
		if got, want := w.Header().Get("Location"), "/en/docs/overview?feedback=thanks#feedback"; got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		// Voting again replaces the vote.
		wantStatus(t, do(t, s, feedbackRequest("en", "overview", "no", tok, tok)), http.StatusSeeOther)
		// Another visitor, and the Chinese page, count separately.
		wantStatus(t, do(t, s, feedbackRequest("en", "overview", "no", other, other)), http.StatusSeeOther)
		wantStatus(t, do(t, s, feedbackRequest("zh", "", "yes", tok, tok)), http.StatusSeeOther)
		tallies, err := s.cfg.Feedback.Tallies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []content.Tally{{Lang: "en", Path: "overview", Yes: 0, No: 2}, {Lang: "zh", Path: "", Yes: 1, No: 0}}
		if len(tallies) != len(want) {
			t.Fatalf("tallies %+v, want %+v", tallies, want)
		}
		for i := range want {
			if tallies[i] != want[i] {
				t.Errorf("tally %d: %+v, want %+v", i, tallies[i], want[i])
			}
		}
		var rows int
		s.cfg.DB.QueryRowContext(ctx, `SELECT count(*) FROM content_feedback`).Scan(&rows)
		if rows != 3 {
			t.Errorf("%d rows stored, want 3 (one per visitor and page)", rows)
		}
	})

	t.Run("thanks", func(t *testing.T) {
		w := get(t, s, "/zh/docs/overview?feedback=thanks")
		wantBody(t, "thanks", w.Body.String(), `class="feedback-thanks"`)
		if strings.Contains(w.Body.String(), `action="/zh/docs/feedback"`) {
			t.Error("the question is still shown after voting")
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tt := range []struct{ path, helpful string }{
			{"no-such-page", "yes"},
			{"overview", "maybe"},
			{"overview", ""},
		} {
			w := do(t, s, feedbackRequest("zh", tt.path, tt.helpful, tok, tok))
			wantStatus(t, w, http.StatusBadRequest)
			wantBody(t, "bad feedback", w.Body.String(), "无法理解该请求")
		}
	})
}

// translationDocs is a small docs tree in which the Chinese "a" page is
// missing and "b" was translated from an older English revision.
func translationDocs() fstest.MapFS {
	hash := func(title, body string) string {
		return content.SourceHash(content.FrontMatter{Title: title}, []byte(body))
	}
	return fstest.MapFS{
		"en/index.md": {Data: []byte("---\ntitle: Home\n---\n\nWelcome.\n")},
		"en/a.md":     {Data: []byte("---\ntitle: Alpha\nweight: 1\n---\n\nAlpha body in English.\n")},
		"en/b.md":     {Data: []byte("---\ntitle: Beta\nweight: 2\n---\n\nBeta body, revised.\n")},
		"zh/index.md": {Data: []byte("---\ntitle: 首页\nsource_hash: " + hash("Home", "Welcome.") + "\n---\n\n欢迎。\n")},
		"zh/b.md":     {Data: []byte("---\ntitle: 贝塔\nweight: 2\nsource_hash: 0123456789ab\n---\n\n贝塔正文。\n")},
	}
}

func TestTranslationBanners(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Docs = translationDocs() })
	tests := []struct {
		path    string
		want    []string
		notWant []string
	}{
		{
			path: "/zh/docs/a",
			want: []string{`data-translation="missing"`, "本页尚未翻译，以下为英文原文。", "Alpha body in English.",
				`<article class="docs-article" lang="en">`, `<html lang="zh-CN">`, "文档首页"},
			notWant: []string{`data-translation="outdated"`},
		},
		{
			path: "/zh/docs/b",
			want: []string{`data-translation="outdated"`, "本页翻译完成后，英文版本已有更新。", `<a href="/en/docs/b" hreflang="en">阅读最新英文版本</a>`,
				"贝塔正文。", `<article class="docs-article" lang="zh-CN">`},
			notWant: []string{`data-translation="missing"`},
		},
		{path: "/zh/docs/", want: []string{"欢迎。"}, notWant: []string{"data-translation="}},
		{path: "/en/docs/a", want: []string{"Alpha body in English."}, notWant: []string{"data-translation="}},
		{path: "/en/docs/b", want: []string{"Beta body, revised."}, notWant: []string{"data-translation="}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := get(t, s, tt.path)
			wantStatus(t, w, http.StatusOK)
			body := w.Body.String()
			wantBody(t, tt.path, body, tt.want...)
			for _, nw := range tt.notWant {
				if strings.Contains(body, nw) {
					t.Errorf("%s contains %q", tt.path, nw)
				}
			}
		})
	}
	// The raw Markdown of a missing translation is the English source.
	w := get(t, s, "/zh/docs/a.md")
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Alpha body in English.") || w.Header().Get("Content-Language") != "en" {
		t.Errorf("/zh/docs/a.md: Content-Language %q body %q", w.Header().Get("Content-Language"), w.Body.String())
	}
	// llms.txt lists the English page once, not again as Chinese.
	llms := get(t, s, "/llms.txt").Body.String()
	if strings.Contains(llms, "/zh/docs/a.md") || !strings.Contains(llms, "/en/docs/a.md") || !strings.Contains(llms, "/zh/docs/b.md") {
		t.Errorf("llms.txt:\n%s", llms)
	}
}
