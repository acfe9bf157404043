package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Translation says how a page relates to its English source.
type Translation int

const (
	// Original: the page is the English source itself.
	Original Translation = iota
	// Translated: a translation made from the current English revision.
	Translated
	// Outdated: a translation made from an older English revision.
	Outdated
	// Missing: no translation exists; the English page is shown instead.
	Missing
)

// String names the state: original, translated, outdated or missing.
func (t Translation) String() string {
	switch t {
	case Translated:
		return "translated"
	case Outdated:
		return "outdated"
	case Missing:
		return "missing"
	}
	return "original"
}

// Page is one rendered docs page in one language.
type Page struct {
	Lang        string // the reader's language (URL prefix)
	ContentLang string // the language the text is in; differs when Missing
	Path        string // "" for the docs home, else like "engine/channels"
	File        string // path in the docs FS, for "Edit this page"
	Title       string
	Description string
	Weight      int
	HTML        []byte
	TOC         []Heading
	Text        string // plain text, for search
	Raw         []byte // the Markdown source with the code of file= blocks filled in, as /…/page.md serves it
	Translation Translation
	SourceHash  string // for English pages: the current revision; for translations: the revision translated

	Prev, Next  *Page
	Breadcrumbs []*Page // ancestors, docs home first; excludes the page itself
	section     bool
}

// URL is the page's address.
func (p *Page) URL() string {
	if p.Path == "" {
		return "/" + p.Lang + "/docs/"
	}
	return "/" + p.Lang + "/docs/" + p.Path
}

// NavItem is one entry in the sidebar.
type NavItem struct {
	Page     *Page
	Children []*NavItem
}

// Site is the loaded docs tree in every language.
type Site struct {
	pages map[string]map[string]*Page // lang -> path -> page
	order map[string][]*Page          // lang -> reading order
	nav   map[string][]*NavItem       // lang -> top-level items

	releases map[string][]Release // lang -> changelog releases
	sdkRules map[string][]SDKRule // lang -> the changelog's sdk-support rules
}

// Load reads every page of fsys (laid out as LANG/path.md, with
// LANG/dir/index.md as a section's page), renders it, and links pages into
// navigation order. Languages other than English fall back to the English
// page, marked Missing, when they have no translation.
func Load(fsys fs.FS, r *Renderer) (*Site, error) {
	s := &Site{pages: map[string]map[string]*Page{}, order: map[string][]*Page{}, nav: map[string][]*NavItem{}, releases: map[string][]Release{},
		sdkRules: map[string][]SDKRule{}}
	sources := map[string]map[string]source{}
	for _, lang := range Languages {
		src, err := readLang(fsys, lang)
		if err != nil {
			return nil, err
		}
		sources[lang] = src
	}
	en := sources[SourceLang]
	if _, ok := en[""]; !ok {
		return nil, fmt.Errorf("load: no docs home page %s/index.md", SourceLang)
	}
	for p, src := range en {
		// A page is reachable (nav, prev/next, search) only through its
		// section's page; without one it would be silently left out.
		if dir := path.Dir(p); dir != "." {
			if sec, ok := en[dir]; !ok || !sec.section {
				return nil, fmt.Errorf("load %s: section %q has no page %s/%s/index.md", src.file, dir, SourceLang, dir)
			}
		}
	}
	for _, lang := range Languages {
		s.pages[lang] = map[string]*Page{}
		for p, src := range en {
			own, ok := sources[lang][p]
			page := &Page{Lang: lang, Path: p, section: src.section}
			switch {
			case lang == SourceLang:
				page.Translation = Original
				page.SourceHash = src.hash
			case !ok:
				page.Translation = Missing
				own = src
			case own.fm.SourceHash != src.hash:
				page.Translation = Outdated
				page.SourceHash = own.fm.SourceHash
			default:
				page.Translation = Translated
				page.SourceHash = own.fm.SourceHash
			}
			page.ContentLang = lang
			if page.Translation == Missing {
				page.ContentLang = SourceLang
			}
			page.File, page.Raw = own.file, own.raw
			page.Title, page.Description, page.Weight = own.fm.Title, own.fm.Description, src.fm.Weight
			out, err := r.RenderLang(own.body, lang)
			if err != nil {
				return nil, fmt.Errorf("load %s: %w", own.file, err)
			}
			page.HTML, page.TOC, page.Text = out.HTML, out.TOC, out.Text
			page.Raw = withBody(own.raw, own.body, out.Markdown)
			if p == ChangelogPath {
				if s.releases[lang], err = parseChangelog(r, own.body, lang); err != nil {
					return nil, fmt.Errorf("load %s: %w", own.file, err)
				}
				if err := checkSDKRules(out.SDKSupport, out.TOC, s.sdkRules[SourceLang], lang); err != nil {
					return nil, fmt.Errorf("load %s: %w", own.file, err)
				}
				s.sdkRules[lang] = out.SDKSupport
			} else if len(out.SDKSupport) > 0 {
				return nil, fmt.Errorf("load %s: an %s block belongs on the changelog page only", own.file, SDKSupportLang)
			}
			s.pages[lang][p] = page
		}
		for p := range sources[lang] {
			if _, ok := en[p]; !ok {
				return nil, fmt.Errorf("load %s/%s: translation has no English source page", lang, p)
			}
		}
		s.link(lang)
	}
	return s, nil
}

// withBody returns raw (a page file) with its body, after the front
// matter, replaced by body; raw itself when body is the file's own.
func withBody(raw, oldBody, body []byte) []byte {
	if bytes.Equal(oldBody, body) {
		return raw
	}
	norm := bytes.ReplaceAll(bytes.TrimPrefix(raw, []byte("\ufeff")), []byte("\r\n"), []byte("\n")) // as splitFrontMatter reads it
	head := norm[:len(norm)-len(oldBody)]
	return append(append([]byte{}, head...), body...)
}

type source struct {
	file    string
	raw     []byte
	fm      FrontMatter
	body    []byte
	hash    string
	section bool
}

func readLang(fsys fs.FS, lang string) (map[string]source, error) {
	out := map[string]source{}
	if _, err := fs.Stat(fsys, lang); lang != SourceLang && errors.Is(err, fs.ErrNotExist) {
		return out, nil // nothing translated yet: every page falls back to English
	}
	err := fs.WalkDir(fsys, lang, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(file, ".md") {
			return nil
		}
		raw, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		fm, body, err := splitFrontMatter(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if fm.Title == "" {
			return fmt.Errorf("%s: front matter has no title", file)
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(file, lang+"/"), ".md")
		section := false
		if rel == "index" {
			rel = ""
		} else if strings.HasSuffix(rel, "/index") {
			rel, section = strings.TrimSuffix(rel, "/index"), true
		}
		out[rel] = source{file: file, raw: raw, fm: fm, body: body, hash: SourceHash(fm, body), section: section}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read docs %s: %w", lang, err)
	}
	return out, nil
}

// link builds the navigation tree, reading order, prev/next and breadcrumbs.
func (s *Site) link(lang string) {
	pages := s.pages[lang]
	children := map[string][]*Page{} // parent path -> children
	for p, page := range pages {
		if p == "" {
			continue
		}
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		children[parent] = append(children[parent], page)
	}
	for _, list := range children {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Weight != list[j].Weight {
				return list[i].Weight < list[j].Weight
			}
			return list[i].Path < list[j].Path
		})
	}
	var order []*Page
	var build func(parent string, crumbs []*Page) []*NavItem
	build = func(parent string, crumbs []*Page) []*NavItem {
		var items []*NavItem
		for _, c := range children[parent] {
			c.Breadcrumbs = crumbs
			order = append(order, c)
			item := &NavItem{Page: c}
			if c.section {
				item.Children = build(c.Path, append(append([]*Page{}, crumbs...), c))
			}
			items = append(items, item)
		}
		return items
	}
	home := pages[""]
	order = append(order, home)
	s.nav[lang] = build("", []*Page{home})
	for i, p := range order {
		p.Prev, p.Next = nil, nil
		if i > 0 {
			p.Prev = order[i-1]
		}
		if i+1 < len(order) {
			p.Next = order[i+1]
		}
	}
	s.order[lang] = order
}

// Page returns the page at path in lang.
func (s *Site) Page(lang, p string) (*Page, bool) {
	pages, ok := s.pages[lang]
	if !ok {
		return nil, false
	}
	page, ok := pages[strings.Trim(p, "/")]
	return page, ok
}

// Pages returns lang's pages in reading order.
func (s *Site) Pages(lang string) []*Page { return s.order[lang] }

// Nav returns lang's sidebar tree.
func (s *Site) Nav(lang string) []*NavItem { return s.nav[lang] }

// TranslationIssue is a page whose translation is missing or outdated.
type TranslationIssue struct {
	Lang, Path, File string
	Translation      Translation // Missing or Outdated
	Want, Have       string      // English revision, and the one translated
}

// TranslationReport lists every missing and outdated translation.
func (s *Site) TranslationReport() []TranslationIssue {
	var out []TranslationIssue
	for _, lang := range Languages[1:] {
		for _, p := range s.order[lang] {
			if p.Translation != Missing && p.Translation != Outdated {
				continue
			}
			en := s.pages[SourceLang][p.Path]
			file := strings.Replace(en.File, SourceLang+"/", lang+"/", 1)
			out = append(out, TranslationIssue{Lang: lang, Path: p.Path, File: file, Translation: p.Translation, Want: en.SourceHash, Have: p.SourceHash})
		}
	}
	return out
}
