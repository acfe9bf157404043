//go:build unix

package main

// Benchmarks of the portal as it runs: the full wiring from NewMain.
//
//	go test -run '^$' -bench . -benchtime 2s -cpu 1,2 .
//
// Targets on a 2-core machine: a docs page well under 1 ms of server time,
// search p99 under 5 ms, start-up to the first 200 under 500 ms.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchRequest is what a returning reader's browser sends: the CSRF cookie
// it was given, and gzip.
func benchRequest(target string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	r.AddCookie(&http.Cookie{Name: "sb_csrf", Value: strings.Repeat("b", 43)})
	return r
}

// BenchmarkDocsPage is the server time of one docs page: routing,
// middleware, template, ETag and gzip, without the network.
func BenchmarkDocsPage(b *testing.B) {
	h := startTestMain(b).Portal.Handler()
	if w := serveBench(h, benchRequest("/en/docs/overview")); w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := serveBench(h, benchRequest("/en/docs/overview")); w.Code != 200 {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkDocsPageHTTP serves the page over loopback with keep-alive
// connections, as a load tester would.
func BenchmarkDocsPageHTTP(b *testing.B) {
	m := startTestMain(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	target := m.URL() + "/en/docs/overview"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSearchAPI runs GET /api/search with English and Chinese
// queries, long and short (the two-character fallback), and reports the
// 50th and 99th percentile.
func BenchmarkSearchAPI(b *testing.B) {
	h := startTestMain(b).Portal.Handler()
	queries := []struct{ q, lang string }{
		{"presence", "en"}, {"频道", "zh"}, {"history recovery", "en"}, {"在线状态", "zh"}, {"go", "en"}, {"SLA", "zh"},
	}
	targets := make([]string, len(queries))
	for i, q := range queries {
		targets[i] = "/api/search?q=" + url.QueryEscape(q.q) + "&lang=" + q.lang + "&limit=8"
		if w := serveBench(h, httptest.NewRequest(http.MethodGet, targets[i], nil)); w.Code != 200 || !strings.Contains(w.Body.String(), `"url"`) {
			b.Fatalf("%s: %d %s", targets[i], w.Code, w.Body.String())
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		w := serveBench(h, benchRequest(targets[i%len(targets)]))
		lat = append(lat, time.Since(start))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkStartup is the time from NewMain and Run, with a fresh data
// directory (a new database, migrations, every page rendered and indexed),
// to the first 200 on /healthz and then on a docs page. It also reports how
// long Shutdown takes once those requests are done.
func BenchmarkStartup(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var toHealth, toPage, toStop time.Duration
	n := 0
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: dir}, log)
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		tr := &http.Transport{}
		waitFor200(b, tr, m.URL()+"/healthz")
		toHealth += time.Since(start)
		waitFor200(b, tr, m.URL()+"/en/docs/overview")
		toPage += time.Since(start)
		n++
		b.StopTimer()
		// A connection the client dialed but never used would hold up
		// Shutdown for 5 s (net/http's grace for new connections).
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second) // as main
		stop := time.Now()
		if err := m.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}
		toStop += time.Since(stop)
		cancel()
		b.StartTimer()
	}
	b.ReportMetric(float64(toHealth.Milliseconds())/float64(n), "ms-to-healthz")
	b.ReportMetric(float64(toPage.Milliseconds())/float64(n), "ms-to-docs-page")
	b.ReportMetric(float64(toStop.Milliseconds())/float64(n), "ms-shutdown")
}

func waitFor200(b *testing.B, tr *http.Transport, u string) {
	client := &http.Client{Transport: tr}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		res, err := client.Get(u)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == 200 {
			return
		}
	}
	b.Fatalf("%s never answered 200", u)
}

func serveBench(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
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
