package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/usage"
)

// templates holds one parsed template set per page: the layout, every
// partial, and the page's own file, which defines "title" and "content".
// Pages live in pages/ (subfolders allowed); "pages/forum/topic.html" is
// rendered by the name "forum/topic".
type templates struct {
	fsys   fs.FS
	assets *assets
	dev    bool
	byName map[string]*template.Template
}

func newTemplates(fsys fs.FS, a *assets, dev bool) (*templates, error) {
	t := &templates{fsys: fsys, assets: a, dev: dev}
	byName, err := t.parse()
	if err != nil {
		return nil, err
	}
	t.byName = byName
	return t, nil
}

func (t *templates) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": t.assets.URL,
		// rawHTML and safe mark trusted, already-escaped HTML: rendered docs
		// and search snippets (escaped by content.Snippet).
		"rawHTML": func(b []byte) template.HTML { return template.HTML(b) },
		"safe":    func(s string) template.HTML { return template.HTML(s) },
		// postHTML is a forum post's stored, sanitized HTML with its
		// @mention links pointing at profiles in the page's language.
		"postHTML": func(lang, h string) template.HTML {
			return template.HTML(strings.ReplaceAll(h, forum.MentionHref, `<a class="mention" href="/`+lang+`/u/`))
		},
		"add": func(a, b int) int { return a + b },
		// seconds turns a count of seconds into a time.Duration, which T
		// writes for people ("1 minute").
		"seconds": func(n int) time.Duration { return time.Duration(n) * time.Second },
		"sub":     func(a, b int) int { return a - b },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"isoTime":   func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) },
		"usageKeys": usage.Keys,
		// pct is a ratio (*float64, as usage series hold it) in percent.
		"pct": func(r *float64) float64 { return *r * 100 },
		// msf is a duration in milliseconds, for tables of timings.
		"msf": func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) },
	}
}

func (t *templates) parse() (map[string]*template.Template, error) {
	base := template.New("layout").Funcs(t.funcs())
	shared := []string{"layout.html"}
	partials, err := fs.Glob(t.fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	base, err = base.ParseFS(t.fsys, shared...)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	out := map[string]*template.Template{}
	err = fs.WalkDir(t.fsys, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		clone, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := clone.ParseFS(t.fsys, p); err != nil {
			return fmt.Errorf("templates: %s: %w", p, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "pages/"), path.Ext(p))
		out[name] = clone
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *templates) get(name string) (*template.Template, error) {
	byName := t.byName
	if t.dev {
		fresh, err := t.parse()
		if err != nil {
			return nil, err
		}
		byName = fresh
	}
	tm, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	return tm, nil
}

// view is what every page template receives.
type view struct {
	*localizer
	Lang        string
	Title       string
	Description string
	// Path is the page's address without the language prefix, for the
	// language switch and hreflang alternates: "/docs/overview".
	Path    string
	Section string // active header section: docs, forum, status, sandbox
	NoIndex bool
	// FeedURL is an Atom feed advertised in <head>.
	FeedURL string
	CSRF    string
	Data    any

	// ctx is the request's context (it carries the signed-in forum user)
	// and srv the server, for the header's account area (forum_view.go).
	ctx context.Context
	srv *Server
	tz  *time.Location // the reader's time zone, once looked up (time_zone.go)
}

// Alternate is the same page in another language.
type Alternate struct {
	Lang, URL, Label string
	Current          bool
}

// Alternates lists the page in every language, for hreflang links and the
// language switch.
func (v *view) Alternates() []Alternate {
	return []Alternate{
		{Lang: "en", URL: "/en" + v.Path, Label: "English", Current: v.Lang == "en"},
		{Lang: "zh", URL: "/zh" + v.Path, Label: "简体中文", Current: v.Lang == "zh"},
	}
}

// HTMLLang is the value of <html lang>.
func (v *view) HTMLLang() string {
	if v.Lang == "zh" {
		return "zh-CN"
	}
	return "en"
}

// newView starts a view for the page at path (without language prefix).
func (s *Server) newView(c echo.Context, lang, path string) *view {
	return &view{localizer: s.localizer(lang), Lang: lang, Path: path, CSRF: csrfToken(c, s.cfg.SecureCookies),
		ctx: c.Request().Context(), srv: s}
}

// renderBufs recycles page buffers: a long page (a topic with a hundred
// replies is about 200 KB) would otherwise be regrown and copied on every
// request. The response is written before the buffer goes back.
var renderBufs = sync.Pool{New: func() any {
	b := new(bytes.Buffer)
	b.Grow(32 << 10)
	return b
}}

// render executes the page template into a buffer, sets an ETag over the
// result and answers 304 when the client already has it.
func (s *Server) render(c echo.Context, status int, name string, v *view) error {
	tm, err := s.tmpl.get(name)
	if err != nil {
		return err
	}
	buf := renderBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 { // a rare huge page should not stay in memory
			renderBufs.Put(buf)
		}
	}()
	if err := tm.ExecuteTemplate(buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.HTMLLang())
	h.Set("Vary", "Accept-Encoding, Cookie")
	if status == http.StatusOK {
		sum := sha256.Sum256(buf.Bytes())
		etag := `W/"` + hex.EncodeToString(sum[:8]) + `"`
		h.Set("ETag", etag)
		if h.Get("Cache-Control") == "" { // a handler's no-store (secrets on the page) stands
			h.Set("Cache-Control", "no-cache")
		}
		if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	return c.Blob(status, "text/html; charset=utf-8", buf.Bytes())
}
