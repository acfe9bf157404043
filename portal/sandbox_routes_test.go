package portal

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/sandbox"
)

type sandboxClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sandboxClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *sandboxClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type sandboxTest struct {
	s     *Server
	svc   *sandbox.Service
	eng   *engine.Engine
	clock *sandboxClock
	url   string // the server over loopback, for WebSockets and SSE
}

// newSandboxServer builds the portal with a real engine and sandbox on
// the test server's SQLite file, served on loopback.
func newSandboxServer(t *testing.T, proxies ...string) *sandboxTest {
	t.Helper()
	st := &sandboxTest{clock: &sandboxClock{t: time.Now()}}
	var srv *httptest.Server
	st.s = newTestServer(t, func(cfg *Config) {
		var err error
		st.eng, err = engine.New(context.Background(), engine.Config{DB: cfg.DB})
		if err != nil {
			t.Fatal(err)
		}
		st.svc, err = sandbox.New(context.Background(), sandbox.Config{DB: cfg.DB, Engine: st.eng, Now: st.clock.Now,
			WSURL: func() string { return "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/ws" }})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Engine = st.eng.Handler()
		cfg.Sandbox = st.svc
		cfg.TrustedProxies = proxies
	})
	srv = httptest.NewServer(st.s.Handler())
	st.url = srv.URL
	t.Cleanup(func() {
		st.svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st.eng.Shutdown(ctx)
		srv.Close()
	})
	return st
}

func postJSON(t *testing.T, s *Server, target, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = "192.0.2.10:1234"
	return do(t, s, r, hdr...)
}

func TestSandboxCreateApp(t *testing.T) {
	st := newSandboxServer(t)
	for _, body := range []string{"{}", "", `{"users": 3}`} {
		w := postJSON(t, st.s, "/api/sandbox/apps", body)
		wantStatus(t, w, http.StatusCreated)
		var got struct {
			AppID string `json:"app_id"`
			Users []struct {
				UserID string `json:"user_id"`
				Token  string `json:"token"`
			} `json:"users"`
			WSURL     string    `json:"ws_url"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		wantUsers := 2
		if body == `{"users": 3}` {
			wantUsers = 3
		}
		if len(got.AppID) != 32 || len(got.Users) != wantUsers || got.Users[0].UserID != "alice" || got.Users[0].Token == "" {
			t.Errorf("body %q: got %+v", body, got)
		}
		if got.WSURL != "ws://example.com/v1/ws" {
			t.Errorf("ws_url = %q, want ws://example.com/v1/ws (the request's host)", got.WSURL)
		}
		if d := time.Until(got.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("expires_at %v is not 24 h away", got.ExpiresAt)
		}
	}
}

func TestSandboxCreateAppBadInput(t *testing.T) {
	st := newSandboxServer(t)
	for _, tc := range []struct {
		body, code string
		status     int
	}{
		{`{"users": 11}`, "sandbox.error.users", 400},
		{`{"users": 1}`, "sandbox.error.users", 400},
		{`{"users": "two"}`, "sandbox.error.bad_json", 400},
		{`not json`, "sandbox.error.bad_json", 400},
		{`{"users": 2, "pad": "` + strings.Repeat("x", 5000) + `"}`, "error.too_large", 413},
	} {
		w := postJSON(t, st.s, "/api/sandbox/apps", tc.body)
		wantStatus(t, w, tc.status)
		wantBody(t, tc.body[:min(20, len(tc.body))], w.Body.String(), `"code":"`+tc.code+`"`)
	}
}

// The 6th app from one IP within an hour gets 429 with a localized
// explanation and Retry-After; X-Forwarded-For from an untrusted peer does
// not change the IP, from a trusted proxy it does.
func TestSandboxIPQuota(t *testing.T) {
	st := newSandboxServer(t, "10.0.0.1")
	for i := range 5 {
		w := postJSON(t, st.s, "/api/sandbox/apps", "{}", "X-Forwarded-For", "203.0.113."+string(rune('1'+i)))
		wantStatus(t, w, http.StatusCreated)
	}
	w := postJSON(t, st.s, "/api/sandbox/apps", "{}", "Accept-Language", "zh-CN")
	wantStatus(t, w, http.StatusTooManyRequests)
	if ra := w.Header().Get("Retry-After"); ra != "3600" {
		t.Errorf("Retry-After = %q, want 3600", ra)
	}
	wantBody(t, "429", w.Body.String(), `"code":"sandbox.error.ip_quota"`, "1 小时后重试")

	// Behind the trusted proxy, X-Forwarded-For names the client.
	r := httptest.NewRequest(http.MethodPost, "/api/sandbox/apps", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = "10.0.0.1:5555"
	w = do(t, st.s, r, "X-Forwarded-For", "203.0.113.50")
	wantStatus(t, w, http.StatusCreated)

	// An hour later the quota is free again.
	st.clock.Add(time.Hour + time.Second)
	wantStatus(t, postJSON(t, st.s, "/api/sandbox/apps", "{}"), http.StatusCreated)
}

func TestSandboxExpiry(t *testing.T) {
	st := newSandboxServer(t)
	w := postJSON(t, st.s, "/api/sandbox/apps", "{}")
	wantStatus(t, w, http.StatusCreated)
	var app struct {
		AppID string `json:"app_id"`
	}
	json.Unmarshal(w.Body.Bytes(), &app)
	st.clock.Add(24*time.Hour + time.Minute)
	if n, err := st.svc.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if _, err := st.eng.GetApp(context.Background(), app.AppID); err == nil {
		t.Error("the engine app survived expiry")
	}
	w = postJSON(t, st.s, "/api/sandbox/apps/"+app.AppID+"/loadtests", `{"clients":2,"channels":1,"rate":5,"duration_seconds":1}`)
	wantStatus(t, w, http.StatusNotFound)
	wantBody(t, "expired app", w.Body.String(), `"code":"sandbox.error.app_not_found"`)
}

func TestSandboxLoadTestAPI(t *testing.T) {
	st := newSandboxServer(t)
	w := postJSON(t, st.s, "/api/sandbox/apps", "{}")
	wantStatus(t, w, http.StatusCreated)
	var app struct {
		AppID string `json:"app_id"`
	}
	json.Unmarshal(w.Body.Bytes(), &app)

	w = postJSON(t, st.s, "/api/sandbox/apps/"+app.AppID+"/loadtests", `{"clients":501,"channels":1,"rate":5,"duration_seconds":1}`)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "501 clients", w.Body.String(), `"code":"sandbox.error.lt_clients"`)
	w = postJSON(t, st.s, "/api/sandbox/apps/"+app.AppID+"/loadtests", `{"clients":2,"channels":1,"rate":5,"duration_seconds":61}`)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "61 s", w.Body.String(), `"code":"sandbox.error.lt_duration"`)

	w = postJSON(t, st.s, "/api/sandbox/apps/"+app.AppID+"/loadtests",
		`{"clients":10,"channels":2,"rate":50,"payload_bytes":32,"duration_seconds":2}`, "X-Switchboard-Lang", "zh")
	wantStatus(t, w, http.StatusAccepted)
	var started struct {
		ID, EventsURL, ReportURL, JSONURL, CSVURL string
	}
	var raw map[string]string
	json.Unmarshal(w.Body.Bytes(), &raw)
	started.ID, started.EventsURL, started.ReportURL, started.JSONURL, started.CSVURL = raw["id"], raw["events_url"], raw["report_url"], raw["json_url"], raw["csv_url"]
	if started.ReportURL != "/zh/sandbox/reports/"+started.ID {
		t.Errorf("report_url = %q", started.ReportURL)
	}
	// One at a time per app.
	w = postJSON(t, st.s, "/api/sandbox/apps/"+app.AppID+"/loadtests", `{"clients":2,"channels":1,"rate":5,"duration_seconds":1}`)
	wantStatus(t, w, http.StatusConflict)

	// Progress over Server-Sent Events, then the report.
	resp, err := http.Get(st.url + started.EventsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	events := map[string]int{}
	var done string
	for sc.Scan() {
		line := sc.Text()
		if ev, ok := strings.CutPrefix(line, "event: "); ok {
			events[ev]++
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok && events["done"] > 0 {
			done = d
			break
		}
	}
	if events["progress"] < 2 || done == "" {
		t.Fatalf("events %v, done %q", events, done)
	}
	var rep sandbox.Report
	if err := json.Unmarshal([]byte(done), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.DeliveryRate != 100 || rep.Delivered == 0 {
		t.Errorf("delivery %v%%, %d delivered", rep.DeliveryRate, rep.Delivered)
	}

	// Permalink, readable without JS, in both languages.
	w = get(t, st.s, started.ReportURL)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "zh report", w.Body.String(), "压测报告", `data-metric="delivery_rate">100.00%`, "≥ 99.5%", "&lt; 50 ms",
		started.JSONURL+"?download=1", started.CSVURL)
	w = get(t, st.s, "/en/sandbox/reports/"+started.ID)
	wantBody(t, "en report", w.Body.String(), "Load-test report", "Delivery rate")
	wantStatus(t, get(t, st.s, "/en/sandbox/reports/nope"), http.StatusNotFound)

	w = get(t, st.s, started.JSONURL+"?download=1")
	wantStatus(t, w, http.StatusOK)
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("JSON Content-Disposition = %q", cd)
	}
	wantBody(t, "json", w.Body.String(), `"delivery_rate_percent": 100`)
	w = get(t, st.s, started.CSVURL)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "csv", w.Body.String(), "metric,value\n", "delivery_rate_percent,100\n")

	// A finished run's events answer at once with its report.
	resp2, err := http.Get(st.url + started.EventsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	sc = bufio.NewScanner(resp2.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var sawDone bool
	for sc.Scan() {
		if sc.Text() == "event: done" {
			sawDone = true
			break
		}
	}
	if !sawDone {
		t.Error("no done event for a finished run")
	}
	wantStatus(t, get(t, st.s, "/api/sandbox/loadtests/nope/events"), http.StatusNotFound)
}

func TestSandboxPages(t *testing.T) {
	st := newSandboxServer(t)
	for _, lang := range []string{"en", "zh"} {
		w := get(t, st.s, "/"+lang+"/sandbox")
		wantStatus(t, w, http.StatusOK)
		wantBody(t, lang+" sandbox", w.Body.String(), `id="sandbox-root"`, `id="sandbox-data"`, `"max_clients":500`, `id="loadtest-form"`)
		if strings.Contains(w.Body.String(), "sandbox.") && strings.Contains(w.Body.String(), ">sandbox.") {
			t.Errorf("%s: an untranslated message ID is shown", lang)
		}
	}
	if csp := get(t, st.s, "/en/sandbox").Header().Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "blob:") {
		t.Errorf("sandbox page CSP loosened: %s", csp)
	}
}

// Docs pages carry the Try-it button (shown by script) and the pane's
// script; the script reads its strings from /api/sandbox/config.
func TestSandboxTryItOnDocsPages(t *testing.T) {
	st := newSandboxServer(t)
	w := get(t, st.s, "/zh/docs/overview")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "docs page", w.Body.String(), `data-sandbox-tryit`, `hidden>试一试</button>`, "js/sandbox_tryit.js")
	w = get(t, st.s, "/api/sandbox/config?lang=zh")
	wantStatus(t, w, http.StatusOK)
	var cfg struct {
		Limits  map[string]int
		Strings map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Limits["max_clients"] != 500 || cfg.Limits["max_duration"] != 60 || cfg.Strings["run"] != "运行" || cfg.Strings["subscribe"] != "订阅" {
		t.Errorf("config = %+v", cfg)
	}
	for k, v := range cfg.Strings {
		if strings.HasPrefix(v, "sandbox.") {
			t.Errorf("string %s untranslated: %q", k, v)
		}
	}
}

// The runner page that "Run" buttons frame has its own CSP: blob: modules
// and WebSockets to this host, framing by this origin only.
func TestSandboxRunnerHeaders(t *testing.T) {
	st := newSandboxServer(t)
	w := get(t, st.s, "/sandbox/runner")
	wantStatus(t, w, http.StatusOK)
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'self'", "script-src http://example.com blob:", "ws://example.com", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("runner CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("runner CSP allows inline script: %s", csp)
	}
	if xfo := w.Header().Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options = %q", xfo)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	wantBody(t, "runner", w.Body.String(), "js/sandbox_runner.js")
}
