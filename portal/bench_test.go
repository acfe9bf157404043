//go:build unix

package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDocsPage is the server time of /en/docs/overview through the
// whole handler, for a returning reader (CSRF cookie) with and without gzip.
func BenchmarkDocsPage(b *testing.B) {
	s := newTestServer(b)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest(http.MethodGet, "/en/docs/overview", nil)
					r.Header.Set("Accept-Encoding", enc)
					r.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("b", 43)})
					w := httptest.NewRecorder()
					s.Handler().ServeHTTP(w, r)
					if w.Code != 200 {
						b.Errorf("status %d", w.Code)
						return
					}
				}
			})
			reportCPU(b, cpu)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkLoadDocs renders every docs page in both languages and builds
// the search index, as start-up does, and reports the time per page.
func BenchmarkLoadDocs(b *testing.B) {
	s := newTestServer(b)
	ctx := context.Background()
	pages := 0
	for b.Loop() {
		d, err := s.loadDocs(ctx)
		if err != nil {
			b.Fatal(err)
		}
		pages = len(d.site.Pages("en")) + len(d.site.Pages("zh"))
		d.index.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(pages), "ms/page")
}

// cpuTime is the CPU time this process has used. Divided by b.N it is the
// server time of one request, which, unlike ns/op, does not grow when other
// programs share the machine's cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}
