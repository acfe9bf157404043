package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Anonymous readers all see the same page (a docs page, the home page, the
// status page, a forum topic) except for their CSRF token, which sits in
// <meta name="csrf-token"> and in the forms. Such a page is rendered once
// with a placeholder for the token, split around it, and kept both plain
// and gzip-compressed (gzip_splice.go); a request is then a cache lookup
// and a write of the parts with the reader's token between them. No
// template runs and nothing is compressed per request, and every form
// still carries the reader's own token, so the pages work without
// JavaScript exactly as a fresh render does.
//
// An entry is valid for one stamp: the forum's generation (any forum
// write changes it: pages show topics, posts and SLA figures), the
// status figures' time where they are shown, and a pageTTL window for
// what depends on the clock alone ("overdue by", response-time reports
// that are recomputed in the background). Signed-in readers, -dev mode
// and non-200 pages are rendered fresh.

// anonPagesMax bounds the number of cached pages (a docs page is about
// 50 KB plain and compressed, a 100-reply topic about 250 KB).
const anonPagesMax = 512

// pageTTL bounds how long a cached page is served.
const pageTTL = 30 * time.Second

// csrfPlaceholder stands for the token in cached pages: letters only, so
// html/template writes it unchanged.
const csrfPlaceholder = "CSRFTOKENPLACEHOLDERzqxjvkw"

// rawWriterKey holds the response writer beneath the gzip middleware, so
// that a cached page can send its own pre-compressed bytes.
const rawWriterKey = "raw-writer"

// anonPage is a cached page.
type anonPage struct {
	stamp string   // what the page was rendered from (anonStamp)
	parts [][]byte // the page split around the token
	gz    *splicedGzip
	lang  string
	sum   string // hash of the page with the placeholder, for ETags
}

// keepRawWriter remembers the writer beneath the middleware that follow
// (gzip); see rawWriterKey.
func keepRawWriter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(rawWriterKey, c.Response().Writer)
		return next(c)
	}
}

// anonStamp is the stamp of a page rendered now, with extra naming any
// other source the page shows (the status figures' time).
func (s *Server) anonStamp(extra string) string {
	var gen uint64
	if s.cfg.Forum != nil {
		gen = s.cfg.Forum.Generation()
	}
	return strconv.FormatUint(gen, 10) + "." + strconv.FormatInt(s.cfg.Now().UnixNano()/int64(pageTTL), 10) + "." + extra
}

// serveAnon renders the page name with v, as render does, and for an
// anonymous reader serves it from the cache under key, rendering on a
// miss. key names the page and every variant of it (language, address,
// the reader's zone, query flags); stamp is from anonStamp. prepare fills
// in what the templates need; it runs before any render, on a miss only.
func (s *Server) serveAnon(c echo.Context, key, stamp, name string, v *view, prepare func() error) error {
	if s.cfg.Dev || viewer(c) != nil {
		if err := prepare(); err != nil {
			return err
		}
		return s.render(c, http.StatusOK, name, v)
	}
	token := v.CSRF
	p, _ := s.anonPages.get(key)
	if p == nil || p.stamp != stamp {
		var err error
		if p, err = s.renderAnon(stamp, name, v, prepare); err != nil {
			return err
		}
		s.anonPages.put(key, p)
	}
	return s.writeAnon(c, p, token)
}

// renderAnon renders a page with the placeholder for the token.
func (s *Server) renderAnon(stamp, name string, v *view, prepare func() error) (*anonPage, error) {
	tm, err := s.tmpl.get(name)
	if err != nil {
		return nil, err
	}
	token := v.CSRF
	v.CSRF = csrfPlaceholder
	defer func() { v.CSRF = token }()
	if err := prepare(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tm.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	p := &anonPage{stamp: stamp, parts: bytes.Split(buf.Bytes(), []byte(csrfPlaceholder)), lang: v.HTMLLang(),
		sum: hex.EncodeToString(sum[:8])}
	if p.gz, err = newSplicedGzip(p.parts); err != nil {
		return nil, err
	}
	return p, nil
}

// writeAnon sends p with token, gzip-compressed when the reader accepts
// it. Like render, it sets an ETag (of the page and the token) and
// answers 304 when the reader already has the page.
func (s *Server) writeAnon(c echo.Context, p *anonPage, token string) error {
	h := fnv.New64a()
	h.Write([]byte(token))
	etag := `W/"` + p.sum + strconv.FormatUint(h.Sum64(), 16) + `"`
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", p.lang)
	hdr.Set("Vary", "Accept-Encoding, Cookie")
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	res := c.Response()
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") && len(token) <= maxSplice {
		if raw, ok := c.Get(rawWriterKey).(http.ResponseWriter); ok {
			res.Writer = raw // past the gzip middleware: these bytes are compressed already
			hdr.Set("Content-Encoding", "gzip")
			hdr.Set("Content-Length", strconv.Itoa(p.gz.length(token)))
			res.WriteHeader(http.StatusOK)
			p.gz.writeTo(res, token) // an error means the reader went away
			// The gzip middleware saw nothing written through it and tidies
			// its headers when the handler returns: let it tidy a copy, not
			// the headers sent.
			res.Writer = sentWriter{ResponseWriter: raw, h: hdr.Clone()}
			return nil
		}
	}
	n := (len(p.parts) - 1) * len(token)
	for _, part := range p.parts {
		n += len(part)
	}
	hdr.Set("Content-Length", strconv.Itoa(n))
	res.WriteHeader(http.StatusOK)
	for i, part := range p.parts {
		if i > 0 {
			if _, err := res.Write([]byte(token)); err != nil {
				return nil // the reader went away
			}
		}
		if _, err := res.Write(part); err != nil {
			return nil
		}
	}
	return nil
}

// sentWriter is a response already sent in full, whose headers can no
// longer change.
type sentWriter struct {
	http.ResponseWriter
	h http.Header
}

func (w sentWriter) Header() http.Header { return w.h }
