package portal

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var assetURL = regexp.MustCompile(`/static/[0-9a-f]{10}/[^"]+`)

func TestStaticAssets(t *testing.T) {
	s := newTestServer(t)
	page := get(t, s, "/en/docs/overview").Body.String()
	urls := assetURL.FindAllString(page, -1)
	if len(urls) < 4 {
		t.Fatalf("page references %d hashed assets, want css, highlight css, logo and js: %v", len(urls), urls)
	}
	types := map[string]string{".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			w := get(t, s, u)
			wantStatus(t, w, http.StatusOK)
			if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control %q, want a year, immutable", cc)
			}
			for ext, ct := range types {
				if strings.HasSuffix(u, ext) && !strings.HasPrefix(w.Header().Get("Content-Type"), ct) {
					t.Errorf("Content-Type %q, want %s", w.Header().Get("Content-Type"), ct)
				}
			}
			if w.Body.Len() == 0 {
				t.Error("empty body")
			}
			etag := w.Header().Get("ETag")
			if w := get(t, s, u, "If-None-Match", etag); w.Code != http.StatusNotModified {
				t.Errorf("If-None-Match %s: status %d, want 304", etag, w.Code)
			}
			// An old hash still gets the current file, but must not be
			// cached for a year under the old URL.
			stale := "/static/0000000000/" + strings.SplitN(u, "/", 4)[3]
			w = get(t, s, stale)
			wantStatus(t, w, http.StatusOK)
			if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("%s: Cache-Control %q, want no-cache", stale, cc)
			}
		})
	}
	for _, p := range []string{"/static/0000000000/css/nope.css", "/static/0000000000/../server.go", "/static/x"} {
		if w := get(t, s, p); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, w.Code)
		}
	}
}

func TestStaticGzip(t *testing.T) {
	s := newTestServer(t)
	u := assetURL.FindString(get(t, s, "/en/").Body.String())
	if !strings.HasSuffix(u, ".css") {
		t.Fatalf("first asset %q, want the stylesheet", u)
	}
	plain := get(t, s, u)
	w := get(t, s, u, "Accept-Encoding", "gzip")
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= plain.Body.Len() {
		t.Errorf("stylesheet: Content-Encoding %q, %d bytes gzipped vs %d plain", w.Header().Get("Content-Encoding"), w.Body.Len(), plain.Body.Len())
	}
}

// The highlight stylesheet is generated, not a file: it must still be served.
func TestHighlightCSS(t *testing.T) {
	s := newTestServer(t)
	u, err := s.assets.URL("css/highlight.css")
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, u)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, u, w.Body.String(), ".chroma")
}
