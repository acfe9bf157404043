package portal

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

// feedXML is what the tests read of an Atom feed.
type feedXML struct {
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func getFeed(t *testing.T, s *Server, p string) feedXML {
	t.Helper()
	w := get(t, s, p)
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("%s: Content-Type %q", p, ct)
	}
	var f feedXML
	if err := xml.Unmarshal(w.Body.Bytes(), &f); err != nil {
		t.Fatalf("%s: not XML: %v", p, err)
	}
	return f
}

// feedDocs is a docs tree whose changelog has a released version with a
// deprecation, an in-page link and a site link, and an unreleased one.
func feedDocs() fstest.MapFS {
	return fstest.MapFS{
		"en/index.md": {Data: []byte("---\ntitle: Home\n---\n\nWelcome.\n")},
		"en/changelog.md": {Data: []byte("---\ntitle: Changelog\n---\n\n## Unreleased\n\n> [!DEPRECATED]\n> `Old.Soon` goes in 0.9.0.\n\n" +
			"## 0.2.0 (2026-11-30)\n\nSee [below](#fixed) and [the tokens page](/en/docs/tokens).\n\n" +
			"> [!DEPRECATED]\n> `client.Foo` is deprecated since 0.2.0: use [`client.Bar`](#added).\n\n### Fixed\n\nThings.\n")},
		"en/deprecations.md": {Data: []byte("---\ntitle: Deprecations\n---\n\nAll of them.\n")},
	}
}

// The changelog feed's entries link in-page anchors and site paths with
// absolute URLs: a feed reader resolves them against the feed otherwise.
func TestChangelogFeedAbsoluteLinks(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Docs = feedDocs() })
	f := getFeed(t, s, "/en/docs/changelog.atom")
	if len(f.Entries) != 1 {
		t.Fatalf("%d entries, want the one released version", len(f.Entries))
	}
	wantBody(t, "changelog entry", f.Entries[0].Content,
		`href="http://example.com/en/docs/changelog#fixed"`, `href="http://example.com/en/docs/tokens"`)
	if strings.Contains(f.Entries[0].Content, `href="#`) || strings.Contains(f.Entries[0].Content, `href="/`) {
		t.Errorf("relative link left in the entry: %s", f.Entries[0].Content)
	}
}

// The Deprecations page has its own feed: one entry per released notice,
// dated by its release and linking to it; the page points to the feed.
func TestDeprecationsFeed(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Docs = feedDocs() })
	f := getFeed(t, s, "/en/docs/deprecations.atom")
	if len(f.Entries) != 1 {
		t.Fatalf("%d entries %+v, want the released deprecation only", len(f.Entries), f.Entries)
	}
	e := f.Entries[0]
	if e.Title != "client.Foo is deprecated since 0.2.0: use client.Bar." {
		t.Errorf("title %q, want the notice's text", e.Title)
	}
	if e.Updated != "2026-11-30T00:00:00Z" {
		t.Errorf("updated %q, want the release date", e.Updated)
	}
	if e.Link.Href != "http://example.com/en/docs/changelog#020-2026-11-30" {
		t.Errorf("link %q, want the release on the changelog page", e.Link.Href)
	}
	wantBody(t, "deprecation entry", e.Content, "<code>client.Foo</code>", `href="http://example.com/en/docs/changelog#added"`)
	page := get(t, s, "/en/docs/deprecations").Body.String()
	wantBody(t, "deprecations page", page, `<link rel="alternate" type="application/atom+xml" href="/en/docs/deprecations.atom">`)
}

// The real Deprecations page links its feed in both languages.
func TestDeprecationsPageLinksFeed(t *testing.T) {
	s := newTestServer(t)
	for _, lang := range []string{"en", "zh"} {
		body := get(t, s, "/"+lang+"/docs/deprecations").Body.String()
		wantBody(t, lang, body, `href="/`+lang+`/docs/deprecations.atom"`)
		getFeed(t, s, "/"+lang+"/docs/deprecations.atom")
	}
}

// Forum feed entries carry the question's text, with absolute links.
func TestForumFeedCarriesPostText(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	b.signup("feed@example.com", "Feeder")
	b.ask("Feed topic with text", "The question's **own words**, see [the docs](/en/docs/overview).")
	for _, p := range []string{"/forum/latest.atom", "/en/forum/latest.atom"} {
		f := getFeed(t, s, p)
		if len(f.Entries) == 0 {
			t.Fatalf("%s: no entries", p)
		}
		var found bool
		for _, e := range f.Entries {
			if e.Title == "Feed topic with text" {
				found = true
				wantBody(t, p, e.Content, "<strong>own words</strong>", `href="http://example.com/en/docs/overview"`)
			}
		}
		if !found {
			t.Errorf("%s: no entry for the topic", p)
		}
	}
}
