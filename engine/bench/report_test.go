package bench

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// loadFields are the fields the bench's JSON line must always hold: the
// issue's exact surface, read by automated checks.
var loadFields = []string{"sent", "expected", "delivered", "delivery_rate", "deliveries_per_sec",
	"p50_ms", "p90_ms", "p99_ms", "max_ms", "connect_ms", "server_rss_bytes"}

func jsonKeys(t *testing.T, line []byte) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("report %q is not a JSON object: %v", line, err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestReportJSONFields(t *testing.T) {
	var buf bytes.Buffer
	if err := (Report{}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 || !strings.HasSuffix(buf.String(), "\n") {
		t.Errorf("report is %q, want exactly one line", buf.String())
	}
	want := slices.Clone(loadFields)
	slices.Sort(want)
	if got := jsonKeys(t, buf.Bytes()); !slices.Equal(got, want) {
		t.Errorf("load report keys = %v, want exactly %v", got, want)
	}

	buf.Reset()
	(Report{IdleConnections: 10, ServerRSSBaseline: 1, ServerRSSBytes: 11, BytesPerConn: 1}).WriteJSON(&buf)
	want = append(want, "idle_connections", "server_rss_baseline_bytes", "bytes_per_conn")
	slices.Sort(want)
	if got := jsonKeys(t, buf.Bytes()); !slices.Equal(got, want) {
		t.Errorf("idle report keys = %v, want %v", got, want)
	}
}

func TestReportFromCounters(t *testing.T) {
	l := newLoad(Config{Subscribers: 10, Channels: 2, Rate: 10, PublisherRate: 50}.withDefaults())
	start := time.Now()
	for i := range 100 {
		l.hist.Record(time.Duration(i+1) * time.Millisecond)
	}
	l.sent.Store(20)
	l.expected.Store(100)
	l.delivered.Store(99)
	l.lastDelivery.Store(start.Add(2 * time.Second).UnixNano())
	r := l.report(start)
	if r.DeliveryRate != 0.99 {
		t.Errorf("delivery_rate = %v, want 0.99", r.DeliveryRate)
	}
	if r.DeliveriesPerSec != 49.5 {
		t.Errorf("deliveries_per_sec = %v, want 49.5", r.DeliveriesPerSec)
	}
	for _, p := range []struct {
		name      string
		got, want float64
	}{{"p50", r.P50MS, 50}, {"p90", r.P90MS, 90}, {"p99", r.P99MS, 99}, {"max", r.MaxMS, 100}} {
		// A percentile is its bucket's upper bound (package histogram: 16
		// buckets per octave), the maximum is exact.
		if p.got < p.want || p.got > p.want*1.045 {
			t.Errorf("%s = %v ms, want %v ms within 4.5%%", p.name, p.got, p.want)
		}
	}
	// One missing delivery in ten million must not round to 1.
	if got := ratio(9_999_999, 10_000_000); got >= 1 {
		t.Errorf("ratio(9999999, 10000000) = %v, want below 1", got)
	}
}

func TestPublisherPlan(t *testing.T) {
	tests := []struct {
		channels            int
		rate, perConn       float64
		streamsPerChan, pub int
	}{
		{1, 100, 10, 10, 10},  // the default: ten connections at 10/s
		{1, 100, 25, 4, 4},    // four connections at 25/s
		{1, 100, 50, 2, 2},    // two connections at 50/s
		{1, 10, 50, 1, 1},     // one at 10/s
		{10, 10, 50, 1, 2},    // five channels share a connection
		{3, 120, 50, 3, 9},    // 40/s streams, one per connection
		{1, 1000, 50, 20, 20}, // 20 connections at 50/s
		{4, 25, 50, 1, 2},     // two 25/s channels per connection
	}
	for _, tt := range tests {
		l := newLoad(Config{Subscribers: 100, Channels: tt.channels, Rate: tt.rate, PublisherRate: tt.perConn}.withDefaults())
		if l.streamsPerChan != tt.streamsPerChan || l.publishers() != tt.pub {
			t.Errorf("%d channels at %g/s, %g/s per connection: %d streams per channel, %d publishers; want %d, %d",
				tt.channels, tt.rate, tt.perConn, l.streamsPerChan, l.publishers(), tt.streamsPerChan, tt.pub)
		}
		if perConn := l.streamRate * float64(l.streamsPerPub); perConn > tt.perConn+1e-9 {
			t.Errorf("%d channels at %g/s: %g/s per connection, over the cap %g", tt.channels, tt.rate, perConn, tt.perConn)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	ok := Config{URL: "ws://127.0.0.1:1/v1/ws", AppID: "a", AppCert: "c", Subscribers: 2, Channels: 1, Rate: 1}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no url", func(c *Config) { c.URL = "" }, "URL is required"},
		{"no app", func(c *Config) { c.AppCert = "" }, "app certificate"},
		{"no subscribers", func(c *Config) { c.Subscribers = 0 }, "at least 1 subscriber"},
		{"more channels than subscribers", func(c *Config) { c.Channels = 3 }, "every channel needs a subscriber"},
		{"zero rate", func(c *Config) { c.Rate = 0 }, "rate must be positive"},
		{"tiny payload", func(c *Config) { c.Size = 10 }, "size must be at least"},
		{"negative idle", func(c *Config) { c.Idle = -1 }, "must not be negative"},
	}
	if err := ok.withDefaults().validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tt := range tests {
		c := ok
		tt.mod(&c)
		err := c.withDefaults().validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestWSURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "ws://127.0.0.1:8080/v1/ws"},
		{"https://example.com/", "wss://example.com/v1/ws"},
		{"ws://h:1/v1/ws", "ws://h:1/v1/ws"},
		{"ws://h:1/custom/ws", "ws://h:1/custom/ws"},
	}
	for _, tt := range tests {
		if got, err := wsURL(tt.in); err != nil || got != tt.want {
			t.Errorf("wsURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"ftp://h", "127.0.0.1:8080", "http://"} {
		if _, err := wsURL(bad); err == nil {
			t.Errorf("wsURL(%q) succeeded, want an error", bad)
		}
	}
}
