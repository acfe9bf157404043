package portal

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"github.com/switchboard-rtm/switchboard/content"
)

// TestLinks renders every docs page in both languages, plus the home
// pages, through the real server and fails on any internal link that does
// not answer 200 and any #anchor that is not an id on its target page.
func TestLinks(t *testing.T) {
	s := newTestServer(t)
	pages := sitePages(t, s)
	if len(pages) < 10 {
		t.Fatalf("only %d pages to check: %v", len(pages), pages)
	}
	lc := newLinkChecker(s)
	for _, p := range pages {
		lc.check(p)
	}
	for _, prob := range lc.problems {
		t.Error(prob)
	}
	if lc.links < 20*len(pages) {
		t.Errorf("only %d links checked on %d pages: is the parser finding them?", lc.links, len(pages))
	}
	t.Logf("checked %d links and anchors on %d pages; left %d links into unconfigured areas to TestLinksFullWiring", lc.links, len(pages), len(lc.skipped))
}

// The checker must notice broken links, or TestLinks proves nothing.
func TestLinkCheckerFindsBrokenLinks(t *testing.T) {
	docs := fstest.MapFS{
		"en/index.md": {Data: []byte("---\ntitle: Home\n---\n\n## Start\n\n" +
			"[ok](/docs/a#section-one) [ok too](#start) [gone](/docs/gone) [bad anchor](/docs/a#no-such) " +
			"[bad here](#nowhere) [chinese ok](/docs/a#中文标题) [raw](/docs/a.md) [raw gone](/docs/gone.md)\n")},
		"en/a.md": {Data: []byte("---\ntitle: A\nweight: 1\n---\n\n## Section one\n\n## 中文标题\n\nText.\n")},
		// The footer links to the SLA page.
		"en/support-sla.md": {Data: []byte("---\ntitle: SLA\nweight: 2\n---\n\nText.\n")},
		"zh":                {Mode: fs.ModeDir | 0o755},
	}
	s := newTestServer(t, func(c *Config) { c.Docs = docs })
	lc := newLinkChecker(s)
	lc.check("/en/docs/")
	got := strings.Join(lc.problems, "\n")
	for _, want := range []string{
		"/en/docs/: link /en/docs/gone: status 404",
		"/en/docs/: link /en/docs/a#no-such: no id \"no-such\"",
		"/en/docs/: link #nowhere: no id \"nowhere\"",
		"/en/docs/: link /en/docs/gone.md: status 404",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not include %q; got:\n%s", want, got)
		}
	}
	if len(lc.problems) != 4 {
		t.Errorf("%d problems, want 4:\n%s", len(lc.problems), got)
	}
}

// sitePages lists the address of every docs page in every language, and the
// home pages.
func sitePages(t *testing.T, s *Server) []string {
	t.Helper()
	docs, err := s.currentDocs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, lang := range content.Languages {
		out = append(out, "/"+lang+"/")
		for _, p := range docs.site.Pages(lang) {
			out = append(out, p.URL())
		}
	}
	return out
}

type linkChecker struct {
	s        *Server
	fetched  map[string]*fetchedPage // by path
	problems []string
	skipped  []string
	links    int
}

// unconfiguredArea reports whether p belongs to an area whose routes exist
// only when its service is configured. newTestServer configures none of
// them, so links into them are checked against the full wiring by
// TestLinksFullWiring in the root package.
func unconfiguredArea(s *Server, p string) bool {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	area := seg[0]
	if pathLang(p) != "" && len(seg) > 1 {
		area = seg[1]
	}
	switch {
	case s.cfg.Sandbox == nil && (area == "sandbox" || strings.HasPrefix(p, "/api/sandbox/")):
		return true
	case s.cfg.SDK == nil && area == "sdk":
		return true
	case s.cfg.Engine == nil && area == "v1":
		return true
	case s.cfg.Status == nil && (area == "status" || p == "/api/status"):
		return true
	case s.cfg.SLA == nil && area == "community":
		return true
	case s.cfg.Forum == nil && (area == "forum" || area == "settings"):
		return true
	case s.cfg.Support == nil && area == "support":
		return true
	}
	return false
}

type fetchedPage struct {
	status int
	ids    map[string]bool
	links  []string // href and src values
}

func newLinkChecker(s *Server) *linkChecker {
	return &linkChecker{s: s, fetched: map[string]*fetchedPage{}}
}

func (lc *linkChecker) fetch(p string) *fetchedPage {
	if f, ok := lc.fetched[p]; ok {
		return f
	}
	w := httptestGet(lc.s, p)
	f := &fetchedPage{status: w.Code, ids: map[string]bool{}}
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		var dups []string
		f.ids, f.links, dups = parseLinks(w.Body.String())
		for _, id := range dups {
			lc.problems = append(lc.problems, fmt.Sprintf("%s: duplicate id %q", p, id))
		}
	}
	lc.fetched[p] = f
	return f
}

// check fetches page and every internal link on it.
func (lc *linkChecker) check(page string) {
	f := lc.fetch(page)
	if f.status != http.StatusOK {
		lc.problems = append(lc.problems, fmt.Sprintf("%s: status %d", page, f.status))
		return
	}
	for _, link := range f.links {
		if !strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "#") || strings.HasPrefix(link, "//") {
			continue // external, mailto:, protocol-relative
		}
		lc.links++
		u, err := url.Parse(link)
		if err != nil {
			lc.problems = append(lc.problems, fmt.Sprintf("%s: link %s: %v", page, link, err))
			continue
		}
		target := f
		if u.Path != "" && unconfiguredArea(lc.s, u.Path) {
			lc.skipped = append(lc.skipped, link)
			continue
		}
		if u.Path != "" {
			target = lc.fetch(u.Path)
			if target.status != http.StatusOK {
				lc.problems = append(lc.problems, fmt.Sprintf("%s: link %s: status %d", page, link, target.status))
				continue
			}
		}
		if u.Fragment != "" && !target.ids[u.Fragment] {
			lc.problems = append(lc.problems, fmt.Sprintf("%s: link %s: no id %q on the target page", page, link, u.Fragment))
		}
	}
}

// parseLinks returns the ids on an HTML page, its href and src values, and
// any id used twice.
func parseLinks(doc string) (ids map[string]bool, links, dups []string) {
	ids = map[string]bool{}
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			sort.Strings(dups)
			return ids, links, dups
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			for _, a := range tok.Attr {
				switch a.Key {
				case "id", "name":
					if a.Key == "name" && tok.Data != "a" {
						continue
					}
					if ids[a.Val] {
						dups = append(dups, a.Val)
					}
					ids[a.Val] = true
				case "href", "src":
					links = append(links, a.Val)
				}
			}
		}
	}
}

func httptestGet(s *Server, p string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
	return w
}
