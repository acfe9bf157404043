package content

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// md builds a docs page with front matter.
func md(title string, weight int, hash, body string) *fstest.MapFile {
	fm := fmt.Sprintf("---\ntitle: %s\ndescription: About %s.\nweight: %d\n", title, title, weight)
	if hash != "" {
		fm += "source_hash: " + hash + "\n"
	}
	return &fstest.MapFile{Data: []byte(fm + "---\n" + body)}
}

// hashOf is the source_hash a translation of fsys's page file must record.
func hashOf(t *testing.T, fsys fs.FS, file string) string {
	t.Helper()
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		t.Fatal(err)
	}
	fm, body, err := splitFrontMatter(raw)
	if err != nil {
		t.Fatal(err)
	}
	return SourceHash(fm, body)
}

// testTree is a small docs tree: English pages with a section, and Chinese
// pages that are translated, outdated or missing.
func testTree(t *testing.T) fstest.MapFS {
	fsys := fstest.MapFS{
		"en/index.md":            md("Home", 0, "", "Welcome. See [channels](/docs/engine/channels).\n"),
		"en/overview.md":         md("Overview", 10, "", "What Switchboard is.\n"),
		"en/engine/index.md":     md("Engine", 20, "", "The engine.\n"),
		"en/engine/presence.md":  md("Presence", 20, "", "Who is online.\n"),
		"en/engine/history.md":   md("History", 20, "", "Recover missed messages.\n"),
		"en/engine/channels.md":  md("Channels", 10, "", "## Subscribe\n\nSubscribe to a [channel](/docs/engine/presence).\n\n> [!NOTE]\n> Names are case-sensitive.\n"),
		"en/changelog.md":        md("Changelog", 90, "", "Releases.\n"),
		"en/images/diagram.svg":  {Data: []byte("<svg/>")}, // not a page
		"zh/engine/notes.txt":    {Data: []byte("not a page either")},
		"zh/overview.md":         md("概览", 10, "000000000000", "旧的译文。\n"),
		"zh/engine/history.md":   md("历史消息", 20, "", "没有记录 source_hash 的译文。\n"),
		"zh/engine/channels.md":  nil, // filled in below, with the right hashes
		"zh/engine/index.md":     nil,
		"zh/index.md":            nil,
		"zh/engine/presence.txt": {Data: []byte("")},
	}
	fsys["zh/index.md"] = md("首页", 0, hashOf(t, fsys, "en/index.md"), "欢迎。参阅[频道](/docs/engine/channels)。\n")
	fsys["zh/engine/index.md"] = md("引擎", 20, hashOf(t, fsys, "en/engine/index.md"), "引擎。\n")
	fsys["zh/engine/channels.md"] = md("频道", 10, hashOf(t, fsys, "en/engine/channels.md"), "## 订阅\n\n订阅一个频道。\n")
	return fsys
}

func loadTestTree(t *testing.T) *Site {
	t.Helper()
	s, err := Load(testTree(t), NewDocsRenderer(nil, testLabels))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func paths(pages []*Page) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.Path
	}
	return out
}

func TestSiteTranslations(t *testing.T) {
	s := loadTestTree(t)
	cases := []struct {
		lang, path  string
		want        Translation
		contentLang string
		title       string
	}{
		{"en", "", Original, "en", "Home"},
		{"en", "engine/channels", Original, "en", "Channels"},
		{"zh", "", Translated, "zh", "首页"},
		{"zh", "engine", Translated, "zh", "引擎"},
		{"zh", "engine/channels", Translated, "zh", "频道"},
		{"zh", "overview", Outdated, "zh", "概览"},
		{"zh", "engine/history", Outdated, "zh", "历史消息"},
		{"zh", "engine/presence", Missing, "en", "Presence"},
		{"zh", "changelog", Missing, "en", "Changelog"},
	}
	for _, tc := range cases {
		t.Run(tc.lang+"/"+tc.path, func(t *testing.T) {
			p, ok := s.Page(tc.lang, tc.path)
			if !ok {
				t.Fatalf("got no page, want one")
			}
			if p.Translation != tc.want {
				t.Errorf("got translation %v, want %v", p.Translation, tc.want)
			}
			if p.Lang != tc.lang || p.ContentLang != tc.contentLang {
				t.Errorf("got Lang %q ContentLang %q, want %q %q", p.Lang, p.ContentLang, tc.lang, tc.contentLang)
			}
			if p.Title != tc.title {
				t.Errorf("got title %q, want %q", p.Title, tc.title)
			}
			if !strings.HasPrefix(p.File, tc.contentLang+"/") {
				t.Errorf("got File %q, want the %s source for Edit this page", p.File, tc.contentLang)
			}
			if len(p.HTML) == 0 || len(p.Raw) == 0 {
				t.Errorf("got %d bytes of HTML and %d of Markdown, want both", len(p.HTML), len(p.Raw))
			}
		})
	}

	t.Run("untranslated page keeps the reader in Chinese", func(t *testing.T) {
		p, _ := s.Page("zh", "engine/channels")
		en, _ := s.Page("en", "engine/channels")
		missing, _ := s.Page("zh", "changelog")
		if !strings.Contains(string(en.HTML), `href="/en/docs/engine/presence"`) {
			t.Errorf("got English HTML %s, want links to /en/docs/", en.HTML)
		}
		if !strings.Contains(string(p.HTML), `<h2 id="订阅">`) {
			t.Errorf("got %s, want the Chinese heading anchor", p.HTML)
		}
		if got := missing.URL(); got != "/zh/docs/changelog" {
			t.Errorf("got URL %q, want /zh/docs/changelog", got)
		}
		home, _ := s.Page("zh", "")
		if !strings.Contains(string(home.HTML), `href="/zh/docs/engine/channels"`) {
			t.Errorf("got %s, want links rewritten to /zh/docs/", home.HTML)
		}
		enCh, _ := s.Page("zh", "engine/presence")
		if enCh.Text != "Who is online.\n" {
			t.Errorf("got text %q, want the English text", enCh.Text)
		}
	})

	t.Run("missing page in Chinese renders alerts with Chinese labels", func(t *testing.T) {
		fsys := testTree(t)
		delete(fsys, "zh/engine/channels.md")
		s, err := Load(fsys, NewDocsRenderer(nil, testLabels))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := s.Page("zh", "engine/channels")
		if p.Translation != Missing || !strings.Contains(string(p.HTML), `<p class="alert-title">注意</p>`) {
			t.Errorf("got %v %s, want Missing with the alert titled 注意", p.Translation, p.HTML)
		}
	})
}

func TestSiteNavigation(t *testing.T) {
	s := loadTestTree(t)
	want := []string{"", "overview", "engine", "engine/channels", "engine/history", "engine/presence", "changelog"}
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			pages := s.Pages(lang)
			if got := paths(pages); !slices.Equal(got, want) {
				t.Fatalf("got reading order %q, want %q (by weight, then path)", got, want)
			}
			for i, p := range pages {
				var prev, next *Page
				if i > 0 {
					prev = pages[i-1]
				}
				if i+1 < len(pages) {
					next = pages[i+1]
				}
				if p.Prev != prev || p.Next != next {
					t.Errorf("%q: got prev %v next %v, want %v %v", p.Path, pageName(p.Prev), pageName(p.Next), pageName(prev), pageName(next))
				}
				if p.Lang != lang || (p.Prev != nil && p.Prev.Lang != lang) {
					t.Errorf("%q: got a link into language %q, want %q", p.Path, p.Prev.Lang, lang)
				}
			}

			nav := s.Nav(lang)
			var top []string
			for _, it := range nav {
				top = append(top, it.Page.Path)
			}
			if !slices.Equal(top, []string{"overview", "engine", "changelog"}) {
				t.Errorf("got sidebar %q, want overview, engine, changelog", top)
			}
			var sub []string
			for _, it := range nav[1].Children {
				sub = append(sub, it.Page.Path)
			}
			if !slices.Equal(sub, []string{"engine/channels", "engine/history", "engine/presence"}) {
				t.Errorf("got engine children %q, want channels, history, presence", sub)
			}
		})
	}

	t.Run("breadcrumbs", func(t *testing.T) {
		cases := []struct {
			path string
			want []string
		}{
			{"", nil},
			{"overview", []string{""}},
			{"engine", []string{""}},
			{"engine/history", []string{"", "engine"}},
		}
		for _, tc := range cases {
			p, _ := s.Page("zh", tc.path)
			if got := paths(p.Breadcrumbs); !slices.Equal(got, tc.want) {
				t.Errorf("%q: got breadcrumbs %q, want %q", tc.path, got, tc.want)
			}
			for _, c := range p.Breadcrumbs {
				if c.Lang != "zh" {
					t.Errorf("%q: got crumb %q in %q, want zh", tc.path, c.Path, c.Lang)
				}
			}
		}
	})

	t.Run("lookup", func(t *testing.T) {
		cases := []struct {
			lang, path string
			ok         bool
			url        string
		}{
			{"en", "", true, "/en/docs/"},
			{"zh", "/engine/channels/", true, "/zh/docs/engine/channels"},
			{"zh", "engine/presence", true, "/zh/docs/engine/presence"},
			{"en", "engine/nope", false, ""},
			{"en", "images/diagram", false, ""},
			{"fr", "", false, ""},
		}
		for _, tc := range cases {
			p, ok := s.Page(tc.lang, tc.path)
			if ok != tc.ok {
				t.Errorf("Page(%q, %q): got ok=%v, want %v", tc.lang, tc.path, ok, tc.ok)
				continue
			}
			if ok && p.URL() != tc.url {
				t.Errorf("Page(%q, %q): got URL %q, want %q", tc.lang, tc.path, p.URL(), tc.url)
			}
		}
	})
}

func pageName(p *Page) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", p.Path)
}

func TestTranslationReport(t *testing.T) {
	fsys := testTree(t)
	s := loadTestTree(t)
	got := s.TranslationReport()
	want := []TranslationIssue{
		{Lang: "zh", Path: "overview", File: "zh/overview.md", Translation: Outdated, Want: hashOf(t, fsys, "en/overview.md"), Have: "000000000000"},
		{Lang: "zh", Path: "engine/history", File: "zh/engine/history.md", Translation: Outdated, Want: hashOf(t, fsys, "en/engine/history.md"), Have: ""},
		{Lang: "zh", Path: "engine/presence", File: "zh/engine/presence.md", Translation: Missing, Want: hashOf(t, fsys, "en/engine/presence.md")},
		{Lang: "zh", Path: "changelog", File: "zh/changelog.md", Translation: Missing, Want: hashOf(t, fsys, "en/changelog.md")},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got report\n%+v\nwant\n%+v", got, want)
	}
}

func TestLoadWithoutTranslations(t *testing.T) {
	fsys := testTree(t)
	for name := range fsys {
		if strings.HasPrefix(name, "zh/") {
			delete(fsys, name)
		}
	}
	s, err := Load(fsys, NewDocsRenderer(nil, testLabels))
	if err != nil {
		t.Fatalf("Load without a zh folder: got %v, want every page in English", err)
	}
	if got, want := len(s.Pages("zh")), len(s.Pages("en")); got != want {
		t.Errorf("got %d zh pages, want %d", got, want)
	}
	for _, p := range s.Pages("zh") {
		if p.Translation != Missing || p.ContentLang != "en" {
			t.Errorf("%q: got %v in %q, want missing, shown in English", p.Path, p.Translation, p.ContentLang)
		}
	}
	if got := len(s.TranslationReport()); got != len(s.Pages("en")) {
		t.Errorf("got %d report entries, want one per page (%d)", got, len(s.Pages("en")))
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(fstest.MapFS)
		wantErr string
	}{
		{"Chinese page with no English source", func(m fstest.MapFS) {
			m["zh/engine/ghost.md"] = md("幽灵", 1, "", "无原文。\n")
		}, "zh/engine/ghost"},
		{"no docs home", func(m fstest.MapFS) { delete(m, "en/index.md") }, "en/index.md"},
		{"no English folder", func(m fstest.MapFS) {
			for name := range m {
				if strings.HasPrefix(name, "en/") {
					delete(m, name)
				}
			}
		}, "en"},
		{"page in a folder without a section page", func(m fstest.MapFS) {
			m["en/sdk/go.md"] = md("Go SDK", 1, "", "x\n")
		}, "en/sdk/index.md"},
		{"page without a title", func(m fstest.MapFS) {
			m["en/notitle.md"] = &fstest.MapFile{Data: []byte("---\nweight: 1\n---\nx\n")}
		}, "en/notitle.md"},
		{"bad front matter in a translation", func(m fstest.MapFS) {
			m["zh/changelog.md"] = &fstest.MapFile{Data: []byte("---\ntitle: 更新日志\nweight: 九十\n---\n")}
		}, "zh/changelog.md"},
		{"missing include", func(m fstest.MapFS) {
			m["en/changelog.md"] = md("Changelog", 90, "", "```go file=nope.go\n```\n")
		}, "en/changelog.md"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testTree(t)
			tc.edit(fsys)
			s, err := Load(fsys, NewDocsRenderer(fstest.MapFS{}, testLabels))
			if err == nil {
				t.Fatalf("got a site with %d pages and no error, want an error naming %s", len(s.Pages("en")), tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got error %q, want it to name %s", err, tc.wantErr)
			}
		})
	}
}

// TestRealDocs loads the embedded docs as the portal does. When an English
// page changes, its translation must be updated and its source_hash set to
// the new revision; this test says which page and which hash.
func TestRealDocs(t *testing.T) {
	s := loadRealDocs(t)
	if len(s.Pages(SourceLang)) < 2 {
		t.Fatalf("got %d English pages, want the docs", len(s.Pages(SourceLang)))
	}
	for _, msg := range outdatedTranslations(s) {
		t.Error(msg)
	}
	for _, lang := range Languages {
		for _, p := range s.Pages(lang) {
			if p.Translation == Missing {
				t.Logf("%s/%s: not yet translated (allowed; shown in English with a banner)", lang, p.Path)
			}
			for _, h := range p.TOC {
				if h.ID == "" || strings.ContainsAny(h.ID, " \t") {
					t.Errorf("%s %s: got heading %q with anchor %q, want a non-empty anchor without spaces", lang, p.Path, h.Text, h.ID)
				}
			}
			if strings.Contains(string(p.HTML), "MISSING:") {
				t.Errorf("%s %s: an alert uses a label that does not exist", lang, p.Path)
			}
		}
	}

	t.Run("an English edit without a new source_hash is caught", func(t *testing.T) {
		fsys := fstest.MapFS{}
		err := fs.WalkDir(Docs(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(Docs(), p)
			fsys[p] = &fstest.MapFile{Data: b}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		fsys["en/overview.md"].Data = append(fsys["en/overview.md"].Data, "\nOne more sentence.\n"...)
		edited, err := Load(fsys, NewDocsRenderer(os.DirFS(".."), testLabels))
		if err != nil {
			t.Fatal(err)
		}
		msgs := outdatedTranslations(edited)
		want := "zh/overview.md is outdated"
		newHash := hashOf(t, fsys, "en/overview.md")
		if len(msgs) != 1 || !strings.Contains(msgs[0], want) || !strings.Contains(msgs[0], "source_hash: "+newHash) {
			t.Errorf("got %q, want one message naming %s and source_hash: %s", msgs, want, newHash)
		}
	})
}

// outdatedTranslations explains every outdated translation in s.
func outdatedTranslations(s *Site) []string {
	var out []string
	for _, lang := range Languages[1:] {
		for _, p := range s.Pages(lang) {
			if p.Translation != Outdated {
				continue
			}
			en, _ := s.Page(SourceLang, p.Path)
			out = append(out, fmt.Sprintf("%s is outdated: the English page %s changed since it was translated (source_hash %q); update the translation and set source_hash: %s",
				strings.Replace(en.File, SourceLang+"/", lang+"/", 1), en.File, p.SourceHash, en.SourceHash))
		}
	}
	return out
}

// loadRealDocs loads the embedded docs as the portal does, with includes
// read from the repository root.
func loadRealDocs(t *testing.T) *Site {
	t.Helper()
	s, err := Load(Docs(), NewDocsRenderer(os.DirFS(".."), testLabels))
	if err != nil {
		t.Fatalf("Load(Docs()): %v", err)
	}
	return s
}
