package bench_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/bench"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

// syncBuffer collects progress lines written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunDeliversEverythingAndMeasures(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	var progress syncBuffer
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		ServerPID:   os.Getpid(), // the engine runs in this test process
		Subscribers: 20, Channels: 2, Rate: 20, Size: 200, Duration: 2 * time.Second,
		Progress: &progress,
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	// 2 channels x 20 msg/s x 2 s, each to 10 subscribers.
	if r.Sent != 80 || r.Expected != 800 || r.Delivered != 800 || r.DeliveryRate != 1 {
		t.Errorf("sent/expected/delivered/rate = %d/%d/%d/%v, want 80/800/800/1", r.Sent, r.Expected, r.Delivered, r.DeliveryRate)
	}
	if !(r.P50MS > 0 && r.P50MS <= r.P90MS && r.P90MS <= r.P99MS && r.P99MS <= r.MaxMS) {
		t.Errorf("latencies p50/p90/p99/max = %v/%v/%v/%v ms, want positive and ordered", r.P50MS, r.P90MS, r.P99MS, r.MaxMS)
	}
	if r.MaxMS > 5000 {
		t.Errorf("max latency %v ms for 400 deliveries/s on loopback, want well under 5 s", r.MaxMS)
	}
	// 800 deliveries between the first publish and the last delivery, a
	// little under 2 s apart (later on a busy machine).
	if r.DeliveriesPerSec < 150 || r.DeliveriesPerSec > 420 {
		t.Errorf("deliveries_per_sec = %v, want about 400", r.DeliveriesPerSec)
	}
	if r.ConnectMS <= 0 {
		t.Errorf("connect_ms = %v, want > 0", r.ConnectMS)
	}
	if r.ServerRSSBytes < 1<<20 {
		t.Errorf("server_rss_bytes = %d, want this process's RSS", r.ServerRSSBytes)
	}
	if got := strings.Count(progress.String(), "p99(interval)="); got < 2 {
		t.Errorf("%d progress lines with p99, want one per second:\n%s", got, progress.String())
	}
}

func TestRunSpreadsPublishingUnderTheRateLimit(t *testing.T) {
	// The engine allows 60 publishes/s per connection (burst 60). 100/s for
	// 2 s is 200 publishes: publisher connections at 10/s (the default) stay
	// under the limit; one connection at 100/s gets rate_limited errors.
	url, app := enginetest.Serve(t, "bench")
	run := func(perConn float64) (bench.Report, string) {
		var progress syncBuffer
		r, err := bench.Run(context.Background(), bench.Config{
			URL: url, AppID: app.ID, AppCert: app.Certificate,
			Subscribers: 2, Channels: 1, Rate: 100, Duration: 2 * time.Second,
			PublisherRate: perConn, Grace: time.Second, Progress: &progress,
		})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return r, progress.String()
	}
	if r, out := run(0); r.Sent != 200 || r.DeliveryRate != 1 {
		t.Errorf("default spreading: sent %d, delivery_rate %v; want 200, 1\n%s", r.Sent, r.DeliveryRate, out)
	}
	r, out := run(100)
	if r.Sent >= 200 || !strings.Contains(out, "publishes failed") || !strings.Contains(out, "rate") {
		t.Errorf("one connection at 100/s: sent %d, want fewer than 200 and a rate-limit message\n%s", r.Sent, out)
	}
	if r.DeliveryRate != 1 {
		t.Errorf("delivery_rate = %v, want 1: failed publishes are not expected", r.DeliveryRate)
	}
}

func TestRunIdleConnections(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate, ServerPID: os.Getpid(),
		Idle: 50, Channels: 5, Duration: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.IdleConnections != 50 || r.ServerRSSBytes <= 0 || r.ServerRSSBaseline <= 0 || r.ConnectMS <= 0 {
		t.Errorf("idle report %+v: want 50 connections, both RSS readings and connect_ms", r)
	}
	if r.Sent != 0 || r.Expected != 0 {
		t.Errorf("idle report sent/expected = %d/%d, want 0", r.Sent, r.Expected)
	}
}

func TestRunReportsBadCredentials(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	_, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: "not-the-certificate",
		Subscribers: 1, Rate: 1, Duration: time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), "connect subscriber 0") || !strings.Contains(err.Error(), "signature") {
		t.Errorf("err = %v, want a connect error about the token signature", err)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := bench.Run(ctx, bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 4, Rate: 10, Duration: time.Minute,
	})
	if err == nil {
		t.Fatal("Run succeeded after its context ended")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run took %v to stop after cancel", d)
	}
}

// countingNode is a reverse proxy in front of an engine that counts the
// WebSockets opened through it, standing in for one cluster node.
func countingNode(t *testing.T, engineURL string) (string, *atomic.Int64) {
	t.Helper()
	target, err := url.Parse(strings.Replace(engineURL, "ws://", "http://", 1))
	if err != nil {
		t.Fatal(err)
	}
	target.Path = ""
	var n atomic.Int64
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// With several -url nodes the subscribers are spread over them, and the
// publishers use -pub-url.
func TestRunSpreadsSubscribersOverNodes(t *testing.T) {
	engineURL, app := enginetest.Serve(t, "bench")
	a, na := countingNode(t, engineURL)
	b, nb := countingNode(t, engineURL)
	p, np := countingNode(t, engineURL)
	var progress syncBuffer
	r, err := bench.Run(context.Background(), bench.Config{
		URL: a, SubURLs: []string{a, b}, PubURL: p, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 10, Channels: 1, Rate: 10, Duration: time.Second, Progress: &progress,
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	if r.DeliveryRate != 1 {
		t.Errorf("delivery_rate %v, want 1", r.DeliveryRate)
	}
	if na.Load() != 5 || nb.Load() != 5 || np.Load() != 1 {
		t.Errorf("connections per node %d, %d, publishers' node %d; want 5, 5, 1", na.Load(), nb.Load(), np.Load())
	}
}

// The sandbox's way of running: the subscribers publish themselves (no
// other connections: this app allows four), subscribers that cannot
// connect are counted and the run goes on, and progress comes to a
// callback whose last point is a whole interval after the drain.
func TestRunFromSubscribersWithFailures(t *testing.T) {
	url, app := enginetest.Serve(t, "bench", engine.WithAppLimits(engine.AppLimits{MaxConns: 4}))
	var points []bench.Progress
	const every = 200 * time.Millisecond
	r, err := bench.Run(context.Background(), bench.Config{
		URL: url, AppID: app.ID, AppCert: app.Certificate,
		Subscribers: 6, Channels: 2, Rate: 20, Duration: 1500 * time.Millisecond, Grace: time.Second,
		ConnectConcurrency:     1, // subscribers 0-3 connect, 4 and 5 are over the app's limit
		PublishFromSubscribers: true, AllowConnectFailures: true,
		ProgressInterval: every, OnProgress: func(p bench.Progress) { points = append(points, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Connected != 4 || r.ConnectFailures != 2 {
		t.Errorf("connected %d, failures %d; want 4 and 2", r.Connected, r.ConnectFailures)
	}
	if r.ConnectP50 <= 0 || r.ConnectMax < r.ConnectP50 {
		t.Errorf("connect p50 %v max %v", r.ConnectP50, r.ConnectMax)
	}
	// 20/s into each of 2 channels for 1.5 s, each to its 2 subscribers.
	if r.Sent < 50 || r.Sent > 62 || r.PublishErrors != 0 {
		t.Errorf("sent %d with %d errors, want about 60 and none", r.Sent, r.PublishErrors)
	}
	if r.Expected != 2*r.Sent || r.DeliveryRate != 1 {
		t.Errorf("expected %d delivered %d for %d sent; want every message to both subscribers", r.Expected, r.Delivered, r.Sent)
	}
	if r.PublishTime < 1500*time.Millisecond {
		t.Errorf("publish time %v, want at least the duration", r.PublishTime)
	}
	if len(points) < 7 {
		t.Fatalf("%d progress points over 1.5 s at 200 ms", len(points))
	}
	last, prev := points[len(points)-1], points[len(points)-2]
	if last.Delivered != r.Delivered || last.Elapsed-prev.Elapsed < every*9/10 {
		t.Errorf("last point %+v after %+v: want all deliveries, a whole interval on", last, prev)
	}
	var n uint64
	for _, p := range points {
		n += uint64(p.Interval.Count())
	}
	if n != r.Delivered {
		t.Errorf("the intervals hold %d latencies, want the %d deliveries", n, r.Delivered)
	}
}
