package portal

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	s := newTestServer(t)
	for _, p := range []string{"/en/docs/overview", "/zh/docs/overview", "/en/docs/nope", "/healthz", "/api/search?q=x&lang=en", "/secret-path-1234"} {
		get(t, s, p)
	}
	w := get(t, s, "/metrics")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	wantBody(t, "/metrics", body,
		`switchboard_http_requests_total{code="200",method="GET",route="/:lang/docs/*"} 2`,
		`switchboard_http_requests_total{code="404",method="GET",route="/:lang/docs/*"} 1`,
		`switchboard_http_requests_total{code="200",method="GET",route="/healthz"} 1`,
		`switchboard_http_requests_total{code="200",method="GET",route="/api/search"} 1`,
		`switchboard_http_request_duration_seconds_bucket{method="GET",route="/:lang/docs/*",le="0.001"}`,
		"go_goroutines",
	)
	// Labels are route patterns, never raw paths: a scanner must not be
	// able to grow the metrics without bound.
	if strings.Contains(body, "secret-path-1234") {
		t.Error("a raw request path became a metric label")
	}
}

// TestMetricsGzippedOnce: a scraper asking for gzip gets the text format
// after one gunzip, as Content-Encoding promises (it was gzipped twice).
func TestMetricsGzippedOnce(t *testing.T) {
	s := newTestServer(t)
	w := get(t, s, "/metrics", "Accept-Encoding", "gzip")
	wantStatus(t, w, http.StatusOK)
	if ce := w.Header().Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# HELP ") || !strings.Contains(string(b), "go_goroutines") {
		t.Errorf("after one gunzip the body starts %q, want the text format", b[:min(len(b), 40)])
	}
}
