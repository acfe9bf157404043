package portal

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
)

type searchJSON struct {
	Results []struct {
		Title   string `json:"title"`
		URL     string `json:"url"`
		Snippet string `json:"snippet"`
		Kind    string `json:"kind"`
	} `json:"results"`
}

func apiSearch(t *testing.T, s *Server, q, lang string, hdr ...string) searchJSON {
	t.Helper()
	w := get(t, s, "/api/search?q="+url.QueryEscape(q)+"&lang="+lang, hdr...)
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var out searchJSON
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("decode %s: %v", w.Body.String(), err)
	}
	return out
}

// The JSON shape is public: other parts and tests rely on it exactly.
func TestSearchAPIShape(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/api/search?q=presence&lang=en")
	wantStatus(t, w, http.StatusOK)
	var raw map[string][]map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatalf("body %s: %v", w.Body.String(), err)
	}
	if len(raw) != 1 || raw["results"] == nil {
		t.Fatalf("top level %v, want only \"results\"", raw)
	}
	if len(raw["results"]) == 0 {
		t.Fatal("no results for presence")
	}
	for _, r := range raw["results"] {
		if len(r) != 4 {
			t.Errorf("result %v: want exactly title, url, snippet, kind", r)
		}
		for _, k := range []string{"title", "url", "snippet", "kind"} {
			if v, ok := r[k].(string); !ok || v == "" {
				t.Errorf("result %v: %q missing or empty", r, k)
			}
		}
		if r["kind"] != "doc" {
			t.Errorf("kind %v, want doc", r["kind"])
		}
	}
	// No query: an empty list, not null.
	w = get(t, s, "/api/search?q=&lang=en")
	wantStatus(t, w, http.StatusOK)
	if got := strings.TrimSpace(w.Body.String()); got != `{"results":[]}` {
		t.Errorf("empty query: %s, want {\"results\":[]}", got)
	}
}

func TestSearchFinds(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		q, lang  string
		wantURL  string // must be among the results
		wantMark string
	}{
		{"presence", "en", "/en/docs/overview", "<mark>presence</mark>"},
		{"Presence", "en", "/en/docs/overview", "<mark>presence</mark>"},
		{"频道", "zh", "/zh/docs/engine/channels", "<mark>频道</mark>"}, // two characters: the trigram fallback
		{"在线状态", "zh", "/zh/docs/overview", "<mark>在线状态</mark>"},    // four: trigram
		{"SLA", "zh", "/zh/docs/support-sla", ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res := apiSearch(t, s, tt.q, tt.lang)
			found := false
			for _, r := range res.Results {
				if !strings.HasPrefix(r.URL, "/"+tt.lang+"/") {
					t.Errorf("result %s is not in %s", r.URL, tt.lang)
				}
				if r.URL == tt.wantURL {
					found = true
					if tt.wantMark != "" && !strings.Contains(r.Snippet, tt.wantMark) {
						t.Errorf("snippet %q lacks %s", r.Snippet, tt.wantMark)
					}
				}
			}
			if !found {
				t.Errorf("%q in %s: %+v, want %s among them", tt.q, tt.lang, res.Results, tt.wantURL)
			}
		})
	}
	// Without lang, English is searched.
	if res := apiSearch(t, s, "presence", ""); len(res.Results) == 0 || !strings.HasPrefix(res.Results[0].URL, "/en/") {
		t.Errorf("no lang: %+v", res.Results)
	}
}

// Title matches come first, even when another page mentions the word more.
func TestSearchRanksTitlesFirst(t *testing.T) {
	docs := fstest.MapFS{
		"en/index.md":    {Data: []byte("---\ntitle: Home\n---\n\nNothing here.\n")},
		"en/many.md":     {Data: []byte("---\ntitle: Guide\nweight: 1\n---\n\n" + strings.Repeat("Presence presence presence. ", 30) + "\n")},
		"en/presence.md": {Data: []byte("---\ntitle: Presence\nweight: 2\n---\n\nWho is online, once.\n")},
		"en/some.md":     {Data: []byte("---\ntitle: Some\nweight: 3\n---\n\nA word on presence.\n")},
		"zh":             {Mode: fs.ModeDir | 0o755},
	}
	s := newTestServer(t, func(c *Config) { c.Docs = docs })
	for _, q := range []string{"presence", "pre"} {
		res := apiSearch(t, s, q, "en")
		var urls []string
		for _, r := range res.Results {
			urls = append(urls, r.URL)
		}
		want := []string{"/en/docs/presence", "/en/docs/many", "/en/docs/some"}
		if strings.Join(urls, " ") != strings.Join(want, " ") {
			t.Errorf("%q: %v, want %v (title first, then most relevant)", q, urls, want)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		query, accept string
		code          string
		message       string
	}{
		{"q=x&lang=fr", "", "error.bad_lang", "Unknown language: use en or zh."},
		{"q=x&lang=fr", "zh-CN", "error.bad_lang", "未知语言：请使用 en 或 zh。"},
		{"q=x&lang=en&limit=0", "", "error.bad_limit", "limit must be a number from 1 to 50."},
		{"q=x&lang=en&limit=51", "", "error.bad_limit", "limit must be a number from 1 to 50."},
		{"q=x&lang=zh&limit=abc", "zh", "error.bad_limit", "limit 必须是 1 到 50 之间的数字。"},
		{"q=x&lang=en&limit=-1", "", "error.bad_limit", "limit must be a number from 1 to 50."},
	}
	for _, tt := range tests {
		t.Run(tt.query+" "+tt.accept, func(t *testing.T) {
			w := get(t, s, "/api/search?"+tt.query, "Accept-Language", tt.accept)
			wantStatus(t, w, http.StatusBadRequest)
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			var body struct {
				Error struct {
					Status  int    `json:"status"`
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("%s: %v", w.Body.String(), err)
			}
			if body.Error.Status != 400 || body.Error.Code != tt.code || body.Error.Message != tt.message {
				t.Errorf("error %+v, want 400 %s %q", body.Error, tt.code, tt.message)
			}
		})
	}
}

// Queries are untrusted: quotes, FTS5 syntax, LIKE wildcards and huge
// inputs must give an answer, never a 500.
func TestSearchHostileQueries(t *testing.T) {
	s := newTestServer(t)
	for _, q := range []string{`"`, `""`, `'`, `%`, `_`, `\`, `*`, `NEAR(a b)`, `a OR b`, `-x`, `presence"`, `) AND (`,
		`^`, `:`, `title:x`, "\x00", strings.Repeat("频道", 500), strings.Repeat("a ", 500), strings.Repeat("%_", 100)} {
		w := get(t, s, "/api/search?lang=en&q="+url.QueryEscape(q))
		if w.Code != http.StatusOK {
			t.Errorf("q=%.40q: status %d: %s", q, w.Code, w.Body.String())
		}
	}
	// A LIKE wildcard matches itself only, not everything.
	if res := apiSearch(t, s, "%", "en"); len(res.Results) != 0 {
		for _, r := range res.Results {
			if !strings.Contains(r.Snippet, "%") {
				t.Errorf("%% matched %s without a %%", r.URL)
			}
		}
	}
}

func TestSearchPage(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/zh/search?q="+url.QueryEscape("频道"))
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "search page", w.Body.String(), `<html lang="zh-CN">`, `href="/zh/docs/engine/channels"`, "<mark>频道</mark>", `<meta name="robots" content="noindex">`)
	// Snippets are escaped: markup in a query never reaches the page.
	w = get(t, s, "/en/search?q="+url.QueryEscape(`<script>alert(1)</script>`))
	wantStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "<script>alert") {
		t.Error("query echoed unescaped")
	}
}

// The search page says when it corrected a typo and when the results
// match only some of the words, in the reader's language.
func TestSearchPageNotices(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/en/search?q="+url.QueryEscape("presnce"))
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "typo", w.Body.String(), "Did you mean:", `href="/en/search?q=presence"`, `href="/en/docs/engine/presence"`)
	w = get(t, s, "/en/search?q="+url.QueryEscape("presence kubernetes"))
	wantBody(t, "some words", w.Body.String(), "Showing results for some of your words.", `href="/en/docs/engine/presence"`)
	w = get(t, s, "/zh/search?q="+url.QueryEscape("頻道 kubernetes"))
	wantBody(t, "some words, zh", w.Body.String(), "以下结果只包含你的部分搜索词。", `href="/zh/docs/engine/channels"`)
	w = get(t, s, "/en/search?q="+url.QueryEscape("presence"))
	if body := w.Body.String(); strings.Contains(body, "data-partial") || strings.Contains(body, "data-suggestion") {
		t.Error("a query that matches fully shows a notice")
	}
}
