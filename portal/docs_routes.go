package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/search"
)

// docsState is the rendered docs and their search index. In -dev mode it
// is rebuilt on every request so that edits show on reload.
type docsState struct {
	site  *content.Site
	index *search.Index
	// sidebars caches the rendered sidebar per language and current page:
	// it is the same for every reader, and rendering the tree with
	// html/template was a third of a docs page's server time.
	sidebars sync.Map // lang + "\x00" + path -> template.HTML
}

func (s *Server) loadDocs(ctx context.Context) (*docsState, error) {
	labels := func(lang, id string) string { return s.localizer(lang).T(id) }
	site, err := content.Load(s.cfg.Docs, content.NewDocsRenderer(s.cfg.Includes, labels))
	if err != nil {
		return nil, fmt.Errorf("load docs: %w", err)
	}
	ix, err := content.NewIndex(ctx, site)
	if err != nil {
		return nil, err
	}
	return &docsState{site: site, index: ix}, nil
}

// currentDocs returns the docs to serve this request.
func (s *Server) currentDocs(ctx context.Context) (*docsState, error) {
	if !s.cfg.Dev {
		return s.docs, nil
	}
	s.devMu.Lock()
	defer s.devMu.Unlock()
	fresh, err := s.loadDocs(ctx)
	if err != nil {
		return nil, err
	}
	// Requests that started before may still be searching the old index:
	// close it once they are surely done.
	old := s.docs.index
	time.AfterFunc(time.Minute, func() { old.Close() })
	s.docs = fresh
	return fresh, nil
}

func (s *Server) registerDocsRoutes() {
	e := s.echo
	e.GET("/", s.redirectToLang)
	e.GET("/llms.txt", s.llmsTxt)
	g := e.Group("/:lang", validLang)
	g.GET("", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/"+langOf(c)+"/") })
	g.GET("/", s.home)
	g.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/"+langOf(c)+"/docs/") })
	g.GET("/docs/", s.docsPage)
	g.GET("/docs/*", s.docsPage)
	g.POST("/docs/feedback", s.docsFeedback)
}

// validLang rejects any /{lang}/ prefix other than en and zh with a 404.
func validLang(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Param("lang") {
		case "en", "zh":
		default:
			return errNotFound
		}
		// Remember an explicit language choice for the next visit to "/".
		if ck, err := c.Cookie(langCookie); err != nil || ck.Value != c.Param("lang") {
			c.SetCookie(&http.Cookie{Name: langCookie, Value: c.Param("lang"), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		return next(c)
	}
}

func (s *Server) redirectToLang(c echo.Context) error {
	c.Response().Header().Set("Vary", "Accept-Language, Cookie")
	return c.Redirect(http.StatusFound, "/"+preferredLang(c.Request())+"/")
}

func (s *Server) home(c echo.Context) error {
	lang := langOf(c)
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/")
	v.Title = v.T("home.title")
	v.Description = v.T("home.lead")
	v.Data = map[string]any{"Nav": docs.site.Nav(lang)}
	return s.serveAnon(c, "home:"+lang, s.anonStamp(""), "home", v, func() error { return nil })
}

// docsPageData is what the docs template shows beside the page itself.
type docsPageData struct {
	Page *content.Page
	Nav  []*content.NavItem
	// Sidebar is Nav rendered with the current page marked.
	Sidebar    template.HTML
	EditURL    string
	EnglishURL string
	Thanks     bool
	// Deprecations is set on the deprecations page, built from the changelog.
	Deprecations []content.Deprecation
}

func (s *Server) docsPage(c echo.Context) error {
	lang := langOf(c)
	p := c.Param("*")
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	switch p {
	case content.ChangelogPath + ".atom":
		return s.changelogFeed(c, docs, lang)
	case deprecationsPath + ".atom":
		return s.deprecationsFeed(c, docs, lang)
	}
	if strings.HasSuffix(p, ".md") {
		return s.rawMarkdown(c, docs, lang, strings.TrimSuffix(p, ".md"))
	}
	page, ok := docs.site.Page(lang, p)
	if !ok {
		return errNotFound
	}
	if page.Path != "" && strings.HasSuffix(c.Request().URL.Path, "/") {
		return c.Redirect(http.StatusMovedPermanently, page.URL())
	}
	v := s.newView(c, lang, strings.TrimPrefix(page.URL(), "/"+lang))
	v.Title, v.Description, v.Section = page.Title, page.Description, "docs"
	en, _ := docs.site.Page(content.SourceLang, page.Path)
	sidebar, err := s.sidebar(docs, lang, page.Path)
	if err != nil {
		return err
	}
	data := &docsPageData{
		Page:       page,
		Nav:        docs.site.Nav(lang),
		Sidebar:    sidebar,
		EditURL:    s.cfg.EditURL + page.File,
		EnglishURL: en.URL(),
		Thanks:     c.QueryParam("feedback") == "thanks",
	}
	switch page.Path {
	case deprecationsPath:
		data.Deprecations = docs.site.Deprecations(lang)
		v.FeedURL = "/" + lang + "/docs/" + deprecationsPath + ".atom"
	case content.ChangelogPath:
		v.FeedURL = "/" + lang + "/docs/changelog.atom"
	}
	v.Data = data
	key := "docs:" + lang + ":" + page.Path + ":" + strconv.FormatBool(data.Thanks)
	return s.serveAnon(c, key, s.anonStamp(""), "docs", v, func() error { return nil })
}

func (s *Server) rawMarkdown(c echo.Context, docs *docsState, lang, p string) error {
	if p == "" { // "/en/docs/.md"; the home's source is "index.md"
		return errNotFound
	}
	if p == "index" {
		p = ""
	}
	page, ok := docs.site.Page(lang, p)
	if !ok {
		return errNotFound
	}
	c.Response().Header().Set("Content-Language", page.ContentLang)
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", page.Raw)
}

// docsFeedback records a "Was this page helpful?" answer and returns the
// reader to the page, where a thank-you replaces the question.
func (s *Server) docsFeedback(c echo.Context) error {
	lang := langOf(c)
	p := strings.Trim(c.FormValue("path"), "/")
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	page, ok := docs.site.Page(lang, p)
	if !ok {
		return errBadRequest
	}
	var helpful bool
	switch c.FormValue("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		return errBadRequest
	}
	if s.cfg.Feedback == nil {
		return errNotFound
	}
	// One vote per visitor and page: the visitor is the hash of their CSRF
	// cookie, which the middleware has already checked.
	sum := sha256.Sum256([]byte(csrfToken(c, s.cfg.SecureCookies)))
	if err := s.cfg.Feedback.Vote(c.Request().Context(), lang, page.Path, hex.EncodeToString(sum[:16]), helpful); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, page.URL()+"?feedback=thanks#feedback")
}

// llmsTxt lists every docs page for LLM tools (llmstxt.org), linking the
// raw Markdown.
func (s *Server) llmsTxt(c echo.Context) error {
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	base := c.Scheme() + "://" + c.Request().Host
	var b strings.Builder
	b.WriteString("# Switchboard\n\n> Switchboard is a self-hosted real-time messaging engine (channels, peer messages, presence, history with recovery, JWT tokens) with Go and JavaScript SDKs, and this developer portal. Every page below is available as raw Markdown.\n")
	for _, lang := range content.Languages {
		if lang == "en" {
			b.WriteString("\n## Docs (English)\n\n")
		} else {
			b.WriteString("\n## 文档（简体中文）\n\n")
		}
		for _, p := range docs.site.Pages(lang) {
			if p.Translation == content.Missing {
				continue // the English entry already lists it
			}
			md := p.URL() + ".md"
			if p.Path == "" {
				md = p.URL() + "index.md"
			}
			fmt.Fprintf(&b, "- [%s](%s%s)", p.Title, base, md)
			if p.Description != "" {
				b.WriteString(": " + p.Description)
			}
			b.WriteByte('\n')
		}
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// docsFeed starts the Atom feed of a docs page (the changelog, the
// deprecations), at the page's address plus ".atom".
func docsFeed(c echo.Context, page *content.Page) *atomFeed {
	return &atomFeed{
		Lang:  page.Lang,
		ID:    absURL(c, page.URL()),
		Title: "Switchboard — " + page.Title,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: absURL(c, page.URL()+".atom")},
			{Rel: "alternate", Type: "text/html", Href: absURL(c, page.URL())},
		},
		Author: &atomAuthor{Name: "Switchboard"},
	}
}

// changelogFeed is the Atom feed of released versions, one entry per
// release with its notes (and deprecations) as HTML.
func (s *Server) changelogFeed(c echo.Context, docs *docsState, lang string) error {
	page, _ := docs.site.Page(lang, content.ChangelogPath)
	feed := docsFeed(c, page)
	for _, r := range docs.site.Releases(lang) {
		if r.Date.IsZero() {
			continue // unreleased changes are not news yet
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID:      absURL(c, page.URL()+"#"+r.ID),
			Title:   r.Version,
			Updated: atomTime(r.Date),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: absURL(c, page.URL()+"#"+r.ID)}},
			Content: &atomText{Type: "html", Body: absLinks(c, page.URL(), string(r.HTML))},
		})
	}
	return writeAtom(c, feed)
}

// deprecationsPath is the docs page that lists the changelog's
// deprecations (the page's own text is in content/docs).
const deprecationsPath = "deprecations"

// deprecationsFeed is the Atom feed of deprecations, one entry per notice
// of a released version, dated by its release, linking to the release on
// the changelog page.
func (s *Server) deprecationsFeed(c echo.Context, docs *docsState, lang string) error {
	page, ok := docs.site.Page(lang, deprecationsPath)
	if !ok {
		return errNotFound
	}
	changelog, _ := docs.site.Page(lang, content.ChangelogPath)
	feed := docsFeed(c, page)
	for _, r := range docs.site.Releases(lang) {
		if r.Date.IsZero() {
			continue // announced only when released
		}
		release := absURL(c, changelog.URL()+"#"+r.ID)
		for i, d := range r.Deprecations {
			feed.Entries = append(feed.Entries, atomEntry{
				ID:      release + "-deprecation-" + strconv.Itoa(i+1),
				Title:   d.Text,
				Updated: atomTime(r.Date),
				Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: release}},
				Content: &atomText{Type: "html", Body: absLinks(c, changelog.URL(), string(d.HTML))},
			})
		}
	}
	return writeAtom(c, feed)
}

// sidebar returns the docs navigation tree for lang with the page at
// current marked, rendered once per docs load.
func (s *Server) sidebar(docs *docsState, lang, current string) (template.HTML, error) {
	key := lang + "\x00" + current
	if h, ok := docs.sidebars.Load(key); ok {
		return h.(template.HTML), nil
	}
	tm, err := s.tmpl.get("docs")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tm.ExecuteTemplate(&b, "navtree", map[string]any{"Items": docs.site.Nav(lang), "Current": current}); err != nil {
		return "", fmt.Errorf("render sidebar: %w", err)
	}
	h := template.HTML(b.String())
	docs.sidebars.Store(key, h)
	return h, nil
}
