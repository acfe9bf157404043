package portal

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/status"
)

// statusEnv is a portal with a real engine, forum and status monitor on one
// SQLite file, served over a real loopback listener so that the prober
// takes the same path as in production.
type statusEnv struct {
	s     *Server
	ts    *httptest.Server
	mon   *status.Monitor
	forum *forum.Store
	now   *testClock
}

// testClock is the real time moved on by hand (the prober records real
// times; the portal's clock decides when its cached summary is stale).
type testClock struct {
	mu     sync.Mutex
	base   time.Time // zero: the wall clock
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.base.IsZero() {
		return c.base.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

var statusTestPasswords = forum.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

func newStatusEnv(t *testing.T) *statusEnv {
	t.Helper()
	return newStatusEnvAt(t, time.Time{})
}

// newStatusEnvAt is newStatusEnv with the portal and the monitor on a
// clock that starts at base (the zero time: the wall clock), for pages
// whose windows must not move with the time of day the test runs.
func newStatusEnvAt(t *testing.T, base time.Time) *statusEnv {
	t.Helper()
	return newStatusEnvWith(t, base, nil)
}

// newStatusEnvWith is newStatusEnvAt with mod changing the monitor's
// config (it may use env.ts, already serving) before status.New.
func newStatusEnvWith(t *testing.T, base time.Time, mod func(env *statusEnv, c *status.Config)) *statusEnv {
	t.Helper()
	ctx := context.Background()
	env := &statusEnv{now: &testClock{base: base}}
	var monitorNow func() time.Time
	if !base.IsZero() {
		monitorNow = env.now.Now
	}
	var h http.Handler = http.NotFoundHandler()
	env.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(env.ts.Close)
	d := dbtest.Open(t)
	eng, err := engine.New(ctx, engine.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	if env.forum, err = forum.Open(ctx, d, forum.Config{Password: statusTestPasswords}); err != nil {
		t.Fatal(err)
	}
	cfg := status.Config{DB: d, Apps: eng,
		EngineURL: "ws" + strings.TrimPrefix(env.ts.URL, "http") + "/v1/ws", HTTPURL: env.ts.URL + "/healthz", Now: monitorNow}
	if mod != nil {
		mod(env, &cfg)
	}
	env.mon, err = status.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.s = newTestServer(t, func(c *Config) {
		c.DB, c.Engine, c.Forum, c.Status, c.Now = d, eng.Handler(), env.forum, env.mon, env.now.Now
	})
	h = env.s.Handler()
	return env
}

// user creates a forum user with role and returns their session cookie.
func (env *statusEnv) user(t *testing.T, name string, role forum.Role) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	email := strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.com"
	if _, err := env.forum.CreateUser(ctx, forum.SignUp{Email: email, Name: name, Password: "correct horse battery"}, role); err != nil {
		t.Fatal(err)
	}
	sess, _, err := env.forum.Login(ctx, email, "correct horse battery", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: sess.Token}
}

const testCSRF = "0123456789abcdef0123456789abcdef0123456789a"

// post sends a form with the CSRF cookie and, unless csrf is "", field.
func (env *statusEnv) post(t *testing.T, path string, form url.Values, csrf string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	if csrf != "" {
		form.Set("_csrf", csrf)
	}
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return do(t, env.s, r)
}

func (env *statusEnv) get(t *testing.T, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return do(t, env.s, r)
}

func TestAPIStatusJSON(t *testing.T) {
	env := newStatusEnv(t)
	if _, err := env.mon.ProbeOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := env.get(t, "/api/status")
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	var got struct {
		State      string `json:"state"`
		Components []struct {
			Component string `json:"component"`
			State     string `json:"state"`
			Last24h   struct {
				Availability *float64 `json:"availability"`
				UpSeconds    float64  `json:"up_seconds"`
				Seconds      float64  `json:"seconds"`
				Coverage     float64  `json:"coverage"`
			} `json:"last_24h"`
			Days []struct {
				Date  string `json:"date"`
				Level string `json:"level"`
			} `json:"days"`
		} `json:"components"`
		DeliveryRate24h *float64 `json:"delivery_rate_24h"`
		LatencyP99Ms24h *float64 `json:"latency_p99_ms_24h"`
		SLA             []struct {
			Name     string   `json:"name"`
			Measured *float64 `json:"measured"`
			Result   string   `json:"result"`
			Coverage *float64 `json:"coverage"`
		} `json:"sla"`
		Gaps      []json.RawMessage `json:"gaps"`
		Incidents []json.RawMessage `json:"incidents"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v\n%s", err, w.Body)
	}
	if got.State != "operational" {
		t.Errorf("state %q after a good probe, want operational", got.State)
	}
	if len(got.Components) != 4 {
		t.Fatalf("%d components, want 4", len(got.Components))
	}
	for _, c := range got.Components {
		if len(c.Days) != 90 {
			t.Errorf("%s: %d days, want 90", c.Component, len(c.Days))
		}
		// The probe stands for the time since it started (at most 10 s).
		if w := c.Last24h; w.Availability == nil || *w.Availability != 1 || w.UpSeconds <= 0 || w.UpSeconds > 10 || math.Abs(w.Coverage-w.UpSeconds/w.Seconds) > 1e-6/w.Seconds {
			t.Errorf("%s: 24 h availability %v over %v s up, coverage %v; want 1 over 0-10 s", c.Component, w.Availability, w.UpSeconds, w.Coverage)
		}
		if first := c.Days[0]; first.Level != "no_data" {
			t.Errorf("%s: 89 days ago is %q, want no_data (nothing was measured)", c.Component, first.Level)
		}
	}
	if got.DeliveryRate24h == nil || *got.DeliveryRate24h != 1 {
		t.Errorf("delivery rate %v, want 1", got.DeliveryRate24h)
	}
	if got.LatencyP99Ms24h == nil {
		t.Error("latency p99 is null after a probe")
	}
	if len(got.SLA) != 3 || got.Gaps == nil || got.Incidents == nil {
		t.Errorf("sla %d entries (want 3), gaps %v, incidents %v (want empty lists, not null)", len(got.SLA), got.Gaps, got.Incidents)
	}
	// One probe is measured, but it is no evidence about 30 days.
	for _, r := range got.SLA {
		if r.Measured == nil || r.Result != "insufficient_data" || r.Coverage == nil || *r.Coverage <= 0 || *r.Coverage > 10.0/(29*86400) {
			t.Errorf("sla %s: measured %v, result %q, coverage %v; want insufficient_data with a coverage of at most 10 s in 29 days", r.Name, r.Measured, r.Result, r.Coverage)
		}
	}
}

var (
	barRE    = regexp.MustCompile(`<li class="bar bar-(up|degraded|down|no_data)" title="[^"]+" data-level="[a-z_]+"><span class="visually-hidden">`)
	barRowRE = regexp.MustCompile(`<div class="bar-row" data-component="([a-z_]+)">`)
)

func TestStatusPageRenders(t *testing.T) {
	env := newStatusEnv(t)
	// Before any probe: nothing is known, and nothing shows as up.
	w := env.get(t, "/en/status")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	wantBody(t, "empty page", body, `data-state="no_data"`, "No probe has run yet.", `data-figure="delivery">No data`,
		`data-sla-result="insufficient_data"`, "Insufficient data", "0 seconds of ", "measured (0.00%)", `data-incidents="none"`, `href="/status/feed.atom"`)
	if n := strings.Count(body, `bar bar-up" title`); n != 0 {
		t.Errorf("%d up bars before any probe, want 0", n)
	}
	if n := len(barRE.FindAllString(body, -1)); n != 4*90 {
		t.Errorf("%d bars, want 360 (90 for each of 4 components)", n)
	}
	if strings.Contains(body, " style=") || strings.Contains(body, "<script>") {
		t.Error("page has a style attribute or inline script, which the CSP blocks")
	}

	if _, err := env.mon.ProbeOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	env.now.Add(statusCacheTTL) // past the cached summary
	body = env.get(t, "/en/status").Body.String()
	wantBody(t, "after a probe", body, `data-state="operational"`, "Operational", `data-figure="delivery">100%`)
	rows := barRowRE.FindAllStringSubmatch(body, -1)
	if len(rows) != 4 {
		t.Fatalf("%d bar rows, want 4", len(rows))
	}
	for _, r := range rows {
		seg := body[strings.Index(body, r[0]):]
		seg = seg[:strings.Index(seg, "</ol>")]
		if n := strings.Count(seg, "<li "); n != 90 {
			t.Errorf("%s: %d bars, want 90", r[1], n)
		}
		if !strings.HasSuffix(strings.TrimSpace(seg), `</span></li>`) || !strings.Contains(seg[strings.LastIndex(seg, "<li "):], "bar-up") {
			t.Errorf("%s: today's bar is not up after a good probe", r[1])
		}
		if !strings.Contains(seg, `aria-label="`) {
			t.Errorf("%s: the bar list has no accessible label", r[1])
		}
	}

	zh := env.get(t, "/zh/status").Body.String()
	wantBody(t, "Chinese page", zh, "系统状态", "运行正常", "最近 90 天", `href="/status/feed.atom?lang=zh"`)
}

func TestStatusSummaryCached(t *testing.T) {
	env := newStatusEnv(t)
	ctx := context.Background()
	wantBody(t, "first", env.get(t, "/api/status").Body.String(), `"incidents":[]`)
	if _, err := env.mon.CreateIncident(ctx, status.NewIncident{Title: "Posted elsewhere", Severity: status.SeverityMinor,
		Components: []status.Component{status.ComponentHTTP},
		Update:     status.NewUpdate{Status: status.Investigating, Message: "x", AuthorID: 1, AuthorName: "Ops"}}); err != nil {
		t.Fatal(err)
	}
	env.now.Add(statusCacheTTL - time.Second)
	wantBody(t, "within the cache time", env.get(t, "/api/status").Body.String(), `"incidents":[]`)
	env.now.Add(time.Second)
	wantBody(t, "after the cache time", env.get(t, "/api/status").Body.String(), "Posted elsewhere")
}

func TestIncidentFormsNeedStaff(t *testing.T) {
	env := newStatusEnv(t)
	member := env.user(t, "Mia", forum.RoleMember)
	staff := env.user(t, "Sam", forum.RoleStaff)

	w := env.get(t, "/en/status/incidents/new")
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/en/login?next="+url.QueryEscape("/en/status/incidents/new") {
		t.Errorf("anonymous visitor sent to %q, want the login form", loc)
	}

	for _, tt := range []struct{ lang, msg string }{
		{"en", "Only staff can post incidents and updates."},
		{"zh", "只有工作人员才能发布事件和进展更新。"},
	} {
		w := env.get(t, "/"+tt.lang+"/status/incidents/new", member)
		wantStatus(t, w, http.StatusForbidden)
		wantBody(t, "member "+tt.lang, w.Body.String(), tt.msg)
	}
	form := url.Values{"title": {"t"}, "severity": {"minor"}, "components": {"messaging"}, "status": {"investigating"}, "message": {"m"}}
	w = env.post(t, "/en/status/incidents", form, testCSRF, member)
	wantStatus(t, w, http.StatusForbidden)
	if ins, _ := env.mon.ListIncidents(context.Background(), status.IncidentFilter{}); len(ins) != 0 {
		t.Fatalf("a member's post created %d incidents", len(ins))
	}
	w = env.get(t, "/en/status/incidents/new", staff)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "staff form", w.Body.String(), `name="_csrf" value="`, `name="components" value="peer_messages"`)
	if strings.Contains(env.get(t, "/en/status", member).Body.String(), "/en/status/incidents/new") {
		t.Error("a member sees the post-incident link")
	}
}

func TestIncidentCSRF(t *testing.T) {
	env := newStatusEnv(t)
	staff := env.user(t, "Sam", forum.RoleStaff)
	form := url.Values{"title": {"Delays"}, "severity": {"major"}, "components": {"messaging"}, "status": {"investigating"}, "message": {"Looking"}}
	for _, csrf := range []string{"", "wrong-token-wrong-token-wrong-token-xx"} {
		w := env.post(t, "/en/status/incidents", form, csrf, staff)
		wantStatus(t, w, http.StatusForbidden)
	}
	if ins, _ := env.mon.ListIncidents(context.Background(), status.IncidentFilter{}); len(ins) != 0 {
		t.Fatalf("%d incidents created without a valid CSRF token", len(ins))
	}
	w := env.post(t, "/en/status/incidents", form, testCSRF, staff)
	wantStatus(t, w, http.StatusSeeOther)
}

func TestIncidentLifecycle(t *testing.T) {
	env := newStatusEnv(t)
	staff := env.user(t, "Sam Ops", forum.RoleAdmin)
	start := env.now.Now().UTC().Add(-90 * time.Second).Format("2006-01-02T15:04:05")

	// A bad form is shown again with the reason and the text kept.
	bad := url.Values{"title": {"Kept title"}, "severity": {"major"}, "status": {"investigating"}, "message": {"Kept message"}}
	w := env.post(t, "/zh/status/incidents", bad, testCSRF, staff)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "no components", w.Body.String(), "请至少选择一个受影响的组件。", `value="Kept title"`, "Kept message")
	bad.Set("components", "messaging")
	bad.Set("started_at", "yesterday")
	w = env.post(t, "/en/status/incidents", bad, testCSRF, staff)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "bad start", w.Body.String(), "The start time must be a date and time")

	form := url.Values{"title": {"Messages <delayed>"}, "severity": {"major"}, "components": {"messaging", "peer_messages"},
		"started_at": {start}, "status": {"investigating"}, "message": {"We are looking into slow deliveries."}}
	w = env.post(t, "/en/status/incidents", form, testCSRF, staff)
	wantStatus(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if !regexp.MustCompile(`^/en/status/incidents/\d+$`).MatchString(loc) {
		t.Fatalf("redirected to %q, want the incident page", loc)
	}
	w = env.post(t, loc+"/updates", url.Values{"status": {"resolved"}, "message": {"Fixed the queue."}}, testCSRF, staff)
	wantStatus(t, w, http.StatusSeeOther)
	w = env.post(t, loc+"/updates", url.Values{"status": {"bogus"}, "message": {"x"}}, testCSRF, staff)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, "bad status", w.Body.String(), "Choose a status")
	wantStatus(t, env.post(t, "/en/status/incidents/999/updates", url.Values{"status": {"resolved"}, "message": {"x"}}, testCSRF, staff), http.StatusNotFound)

	page := env.get(t, loc).Body.String()
	wantBody(t, "incident page", page, "Messages &lt;delayed&gt;", "We are looking into slow deliveries.", "Fixed the queue.",
		`data-update-status="investigating"`, `data-update-status="resolved"`, "Sam Ops", "Peer messages")
	// Posted 90 s after the start: the fault response time is 1 minute 30 seconds.
	if !regexp.MustCompile(`data-fault-response>1 minute 3\d seconds<`).MatchString(page) {
		t.Errorf("fault response time not about 1 minute 30 seconds; page:\n%s", page[strings.Index(page, "<dl"):][:400])
	}
	sp := env.get(t, "/en/status").Body.String()
	wantBody(t, "status page", sp, "Messages &lt;delayed&gt;", "Fixed the queue.", `data-fault-stats>Fault response time over 90 days (1 incident)`)
}

func TestStatusFeed(t *testing.T) {
	env := newStatusEnv(t)
	staff := env.user(t, "Sam", forum.RoleStaff)
	form := url.Values{"title": {"Connect failures & timeouts"}, "severity": {"critical"}, "components": {"engine_connect"},
		"status": {"identified"}, "message": {"A bad deploy; rolling back."}}
	wantStatus(t, env.post(t, "/en/status/incidents", form, testCSRF, staff), http.StatusSeeOther)

	w := env.get(t, "/status/feed.atom")
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Content struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &feed); err != nil {
		t.Fatalf("feed is not valid Atom XML: %v\n%s", err, w.Body)
	}
	if len(feed.Entries) != 1 {
		t.Fatalf("%d entries, want 1", len(feed.Entries))
	}
	e := feed.Entries[0]
	if e.Title != "[Identified] Connect failures & timeouts" {
		t.Errorf("entry title %q", e.Title)
	}
	if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
		t.Errorf("updated %q: %v", e.Updated, err)
	}
	if e.Content.Type != "html" || !strings.Contains(e.Content.Body, "A bad deploy; rolling back.") || !strings.Contains(e.Content.Body, "Engine connect") {
		t.Errorf("content %q", e.Content.Body)
	}
	zh := env.get(t, "/status/feed.atom?lang=zh").Body.String()
	wantBody(t, "Chinese feed", zh, `xml:lang="zh"`, "【已定位】Connect failures &amp; timeouts")
}

func TestStatusFormat(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tt := range []struct {
		in   *float64
		want string
	}{{nil, ""}, {f(1), "100%"}, {f(0.99896), "99.89%"}, {f(0.99999), "99.99%"}, {f(0), "0.00%"}} {
		if got := fmtPercent(tt.in); got != tt.want {
			t.Errorf("fmtPercent(%v) = %q, want %q (rounded down)", tt.in, got, tt.want)
		}
	}
	s := newTestServer(t)
	en, zh := s.localizer("en"), s.localizer("zh")
	for _, tt := range []struct {
		secs     float64
		en, zhim string
	}{{-5, "0 seconds", "0 秒"}, {0, "0 seconds", "0 秒"}, {45, "45 seconds", "45 秒"}, {90, "1 minute 30 seconds", "1 分钟 30 秒"},
		{3600, "1 hour", "1 小时"}, {90061, "1 day 1 hour", "1 天 1 小时"}} {
		if got := en.Duration(seconds(tt.secs)); got != tt.en {
			t.Errorf("Duration(seconds(%v)) = %q, want %q", tt.secs, got, tt.en)
		}
		if got := zh.Duration(seconds(tt.secs)); got != tt.zhim {
			t.Errorf("zh Duration(seconds(%v)) = %q, want %q", tt.secs, got, tt.zhim)
		}
	}
}

// A period in which the prober did not run is listed as such, and its
// minutes show as no data, not up.
func TestStatusPageListsGaps(t *testing.T) {
	env := newStatusEnv(t)
	ctx := context.Background()
	if _, err := env.mon.ProbeOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// The same database seen by a prober starting two hours later: the
	// time since the last probe is recorded as a gap.
	later := time.Now().Add(2 * time.Hour)
	restarted, err := status.New(ctx, status.Config{DB: env.s.cfg.DB, Now: func() time.Time { return later }})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := restarted.CheckGap(ctx); err != nil || !ok {
		t.Fatalf("CheckGap: recorded %v, %v", ok, err)
	}
	env.now.Add(2 * time.Hour)
	body := env.get(t, "/en/status").Body.String()
	if n := strings.Count(body, "<li data-gap>"); n != 1 {
		t.Fatalf("%d gaps listed, want 1", n)
	}
	// The gap is the two hours less the time since the last probe began.
	if !regexp.MustCompile(`<li data-gap>[^<]*\((1 hour 59 minutes|2 hours)\)`).MatchString(body) {
		t.Errorf("gap: want its length, about 2 hours, in %s", body)
	}
	if strings.Contains(body, `data-gaps="none"`) {
		t.Error("the page says there was no gap")
	}
	// Two hours later with no probe since: nothing is known now.
	wantBody(t, "state", body, `data-state="no_data"`)
}

// BenchmarkStatusPage is one status page request: with a warm cache
// (what nearly every reader gets) and with the Summary recomputed each
// time. The database is empty; status's BenchmarkSummary measures Summary
// on a full one.
func BenchmarkStatusPage(b *testing.B) {
	for _, cached := range []bool{true, false} {
		name := "cached"
		if !cached {
			name = "uncached"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			d := dbtest.Open(b)
			mon, err := status.New(ctx, status.Config{DB: d})
			if err != nil {
				b.Fatal(err)
			}
			s := newTestServer(b, func(c *Config) { c.DB, c.Status = d, mon })
			for b.Loop() {
				if !cached {
					s.invalidateStatus()
				}
				if w := get(b, s, "/en/status"); w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

func TestIncidentAddresses(t *testing.T) {
	env := newStatusEnv(t)
	in, err := env.mon.CreateIncident(context.Background(), status.NewIncident{Title: "Slow pages", Severity: status.SeverityMinor,
		Components: []status.Component{status.ComponentHTTP},
		Update:     status.NewUpdate{Status: status.Investigating, Message: "Looking.", AuthorID: 1, AuthorName: "Ops"}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(in.ID, 10)
	w := env.get(t, "/zh/status/incidents/"+id)
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "incident page", w.Body.String(), "Slow pages", "调查中", `href="/status/feed.atom?lang=zh"`)
	if strings.Contains(w.Body.String(), `id="add-update"`) {
		t.Error("an anonymous reader sees the update form")
	}
	for _, p := range []string{"/en/status/incidents/999", "/en/status/incidents/abc", "/en/status/incidents/0"} {
		wantStatus(t, env.get(t, p), http.StatusNotFound)
	}
	// The feed's entry IDs are language-neutral addresses that lead to the
	// incident in the reader's language.
	r := httptest.NewRequest(http.MethodGet, "/status/incidents/"+id, nil)
	r.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	w = do(t, env.s, r)
	wantStatus(t, w, http.StatusFound)
	if got := w.Header().Get("Location"); got != "/zh/status/incidents/"+id {
		t.Errorf("redirected to %q", got)
	}
	// Under /api/ errors are JSON.
	w = env.get(t, "/api/status/nope")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"error"`) {
		t.Errorf("/api/status/nope: %d %s", w.Code, w.Body)
	}
}

func TestStatusErrorsMapped(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
		msgID  string
	}{
		{fmt.Errorf("get incident 9: %w", status.ErrNotFound), http.StatusNotFound, "error.not_found"},
		{fmt.Errorf("create incident: %w", &status.ValidationError{Field: "title", Reason: "empty"}), http.StatusBadRequest, "status.invalid_title"},
	} {
		code, id, _ := classify(tt.err)
		if code != tt.status || id != tt.msgID {
			t.Errorf("classify(%v) = %d %s, want %d %s", tt.err, code, id, tt.status, tt.msgID)
		}
	}
}

// What a reader sees of a major incident: today's Messaging bar is down
// and says so, the components it did not touch stay up, and the targets
// say how little of the 30 days was measured.
func TestStatusPageIncidentMarksBar(t *testing.T) {
	env := newStatusEnv(t)
	ctx := context.Background()
	if _, err := env.mon.ProbeOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.mon.CreateIncident(ctx, status.NewIncident{Title: "Messages delayed", Severity: status.SeverityMajor,
		Components: []status.Component{status.ComponentMessaging}, StartedAt: time.Now().Add(-time.Minute),
		Update: status.NewUpdate{Status: status.Investigating, Message: "Looking.", AuthorID: 1, AuthorName: "Ops"}}); err != nil {
		t.Fatal(err)
	}
	today := func(body, comp string) string {
		t.Helper()
		i := strings.Index(body, `data-component="`+comp+`"`)
		if i < 0 {
			t.Fatalf("no bar row for %s", comp)
		}
		seg := body[i:]
		seg = seg[:strings.Index(seg, "</ol>")]
		return seg[strings.LastIndex(seg, "<li "):]
	}
	for _, tt := range []struct{ lang, incident, coverage string }{
		{"en", "1 incident that day.", " measured (0.00%)"},
		{"zh", "当天有 1 个事件。", " 中已度量 "},
	} {
		body := env.get(t, "/"+tt.lang+"/status").Body.String()
		if bar := today(body, "messaging"); !strings.Contains(bar, `data-level="down"`) || !strings.Contains(bar, `data-incidents="1"`) || !strings.Contains(bar, tt.incident) {
			t.Errorf("%s: today's Messaging bar %q; want down, naming the incident", tt.lang, bar)
		}
		if bar := today(body, "engine_connect"); !strings.Contains(bar, `data-level="up"`) || strings.Contains(bar, "data-incidents") {
			t.Errorf("%s: today's Engine connect bar %q; want up, without incidents", tt.lang, bar)
		}
		wantBody(t, tt.lang+" targets", body, `data-sla-result="insufficient_data"`, tt.coverage)
		if strings.Contains(body, `data-sla-result="met"`) {
			t.Errorf("%s: a target shows as met after one probe", tt.lang)
		}
	}
}

// TestStatusTimesInReaderZone: a Chinese reader sees the status page's and
// an incident's times in China Standard Time, an English reader in UTC,
// each with the zone named; <time datetime> stays UTC.
func TestStatusTimesInReaderZone(t *testing.T) {
	base := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	env := newStatusEnvAt(t, base)
	in, err := env.mon.CreateIncident(context.Background(), status.NewIncident{Title: "Slow pages", Severity: status.SeverityMinor,
		Components: []status.Component{status.ComponentHTTP}, StartedAt: base.Add(-2 * time.Hour),
		Update: status.NewUpdate{Status: status.Investigating, Message: "Looking.", AuthorID: 1, AuthorName: "Ops"}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(in.ID, 10)
	for _, p := range []string{"/zh/status", "/zh/status/incidents/" + id} {
		body := env.get(t, p).Body.String()
		wantBody(t, p, body, "2026年6月15日 18:00 CST", `datetime="2026-06-15T10:00:00Z"`)
		if strings.Contains(body, "10:00 UTC") {
			t.Errorf("%s shows the UTC time to a Chinese reader", p)
		}
	}
	for _, p := range []string{"/en/status", "/en/status/incidents/" + id} {
		wantBody(t, p, env.get(t, p).Body.String(), "Jun 15, 2026 10:00 UTC")
	}
}

// With node URLs the page has a row per engine node under the
// availability table: "No data yet" before its first probe, then its
// state, availability, delivery rate and p99; a node that refuses
// connections is down while the other is up. /api/status carries the rows.
func TestStatusPageNodeRows(t *testing.T) {
	const down = "http://127.0.0.1:1" // nothing listens there
	env := newStatusEnvWith(t, time.Time{}, func(env *statusEnv, c *status.Config) { c.NodeURLs = []string{env.ts.URL, down} })
	up := strings.TrimPrefix(env.ts.URL, "http://") // no node name in /healthz: the host
	row := func(body, name string) string {
		t.Helper()
		i := strings.Index(body, `<tr data-node="`+name+`">`)
		if i < 0 {
			t.Fatalf("no row for node %s", name)
		}
		seg := body[i:]
		return seg[:strings.Index(seg, "</tr>")]
	}
	body := env.get(t, "/en/status").Body.String()
	wantBody(t, "before a probe", body, "<h3 id=\"status-nodes-h\">Engine nodes</h3>")
	for _, n := range []string{up, "127.0.0.1:1"} {
		wantBody(t, "row "+n+" before a probe", row(body, n), `data-node-state="no_data"`,
			`data-node-figure="availability"><span class="avail-value">No data yet`, `data-node-figure="delivery">No data yet`, `data-node-figure="p99">No data yet`)
	}

	p, err := env.mon.ProbeOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != 2 || p.Nodes[0].Messaging != status.OK || p.Nodes[1].Connect != status.Failed {
		t.Fatalf("node probes %+v, want the first up and the second down", p.Nodes)
	}
	env.now.Add(statusCacheTTL) // past the cached summary
	body = env.get(t, "/en/status").Body.String()
	wantBody(t, "up node", row(body, up), `data-node-state="operational"`, `<span class="avail-value">100%`,
		"1 of 1 probe succeeded", `data-node-figure="delivery">100%`, `data-node-figure="p99">`, ` ms</td>`,
		// Its cross-node check publishes on the other node, which is down: not run.
		`data-node-figure="cross">No data yet`)
	wantBody(t, "down node", row(body, "127.0.0.1:1"), `data-node-state="outage"`, `<span class="avail-value">0.00%`,
		"0 of 1 probe succeeded", `data-node-figure="delivery">No data yet`, `data-node-figure="p99">No data yet`)
	zh := env.get(t, "/zh/status").Body.String()
	wantBody(t, "Chinese rows", zh, "引擎节点", "1 次探测中 1 次成功", `data-node-figure="delivery">尚无数据`)

	var sum struct {
		Nodes []struct {
			Name    string `json:"name"`
			State   string `json:"state"`
			Last24h struct {
				Availability *float64 `json:"availability"`
			} `json:"last_24h"`
		} `json:"nodes"`
	}
	w := env.get(t, "/api/status")
	wantStatus(t, w, http.StatusOK)
	if err := json.Unmarshal(w.Body.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Nodes) != 2 || sum.Nodes[0].Name != up || sum.Nodes[0].State != "operational" ||
		sum.Nodes[1].State != "outage" || sum.Nodes[1].Last24h.Availability == nil || *sum.Nodes[1].Last24h.Availability != 0 {
		t.Errorf("/api/status nodes: %+v", sum.Nodes)
	}

	// Without node URLs there is no node table, and no "nodes" in the API.
	plain := newStatusEnv(t)
	if body := plain.get(t, "/en/status").Body.String(); strings.Contains(body, "status-nodes") {
		t.Error("node table without node URLs")
	}
	if body := plain.get(t, "/api/status").Body.String(); strings.Contains(body, `"nodes"`) {
		t.Error(`"nodes" in /api/status without node URLs`)
	}
}
