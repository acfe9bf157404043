package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/content"
)

//go:embed templates
var embeddedTemplates embed.FS

//go:embed static
var embeddedStatic embed.FS

// Templates returns the embedded HTML templates.
func Templates() fs.FS { return mustSub(embeddedTemplates, "templates") }

// Static returns the embedded static files.
func Static() fs.FS { return mustSub(embeddedStatic, "static") }

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// assets serves static files under content-hashed URLs
// (/static/<hash>/css/site.css) with a one-year immutable cache lifetime:
// a changed file gets a new URL, so caches never serve a stale one.
type assets struct {
	files map[string]asset // by logical path, e.g. "css/site.css"
}

type asset struct {
	body []byte
	hash string
	mime string
}

// generatedAssets are built in code rather than stored as files.
var generatedAssets = map[string]func() []byte{
	"css/highlight.css": content.HighlightCSS,
}

func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a.add(p, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	for p, gen := range generatedAssets {
		a.add(p, gen())
	}
	return a, nil
}

func (a *assets) add(p string, body []byte) {
	sum := sha256.Sum256(body)
	ct := mime.TypeByExtension(path.Ext(p))
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	a.files[p] = asset{body: body, hash: hex.EncodeToString(sum[:])[:10], mime: ct}
}

// URL returns the hashed URL of the static file at p. An unknown path
// panics at template execution, which the template tests catch.
func (a *assets) URL(p string) (string, error) {
	f, ok := a.files[p]
	if !ok {
		return "", fmt.Errorf("no static file %q", p)
	}
	return "/static/" + f.hash + "/" + p, nil
}

func (s *Server) registerStaticRoutes() {
	s.echo.GET("/static/:hash/*", s.serveStatic)
}

func (s *Server) serveStatic(c echo.Context) error {
	a := s.assets
	if s.cfg.Dev {
		fresh, err := newAssets(s.cfg.Static)
		if err != nil {
			return err
		}
		a = fresh
	}
	f, ok := a.files[c.Param("*")]
	if !ok {
		return errNotFound
	}
	h := c.Response().Header()
	h.Set("Content-Type", f.mime)
	if c.Param("hash") == f.hash && !s.cfg.Dev {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(f.body))
	return nil
}
