package portal

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the pages as rendered now")

// goldenMasks replace what differs from run to run (times, dates, content
// hashes of static files) with fixed words, so that a golden file shows
// only what the templates decide.
var goldenMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(\.)[0-9a-f]{8,}(\.(?:css|js|svg|png|woff2))`), "${1}HASH${2}"},
	{regexp.MustCompile(`/static/[0-9a-f]{8,}/`), "/static/HASH/"},
	{regexp.MustCompile(`datetime="[^"]*"`), `datetime="TIME"`},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?`), "DATE"},
	{regexp.MustCompile(`\d{4}年\d{1,2}月\d{1,2}日`), "DATE"},
	{regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b`), "DATE"},
	{regexp.MustCompile(`\b\d{1,2}:\d{2}(:\d{2})?\b`), "TIME"},
	{regexp.MustCompile(`W/"[0-9a-f]+"`), `W/"ETAG"`},
}

// checkGolden compares a page with testdata/golden/name, or rewrites the
// file with -update. Review the diff of an updated golden file as you
// would review the template change that caused it.
func checkGolden(t *testing.T, name, body string) {
	t.Helper()
	for _, m := range goldenMasks {
		body = m.re.ReplaceAllString(body, m.with)
	}
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./portal -run %s -update to create it)", err, t.Name())
	}
	if body != string(want) {
		t.Errorf("%s differs from %s (if the change is intended: go test ./portal -run %s -update)\n%s", name, file, t.Name(), firstDiff(string(want), body))
	}
}

// firstDiff shows the first line where got differs from want.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(int64(i+1)) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

// goldenGet fetches a page as a returning anonymous reader with a fixed
// CSRF token.
func goldenGet(t *testing.T, s *Server, p string, cookies ...*http.Cookie) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, p, nil)
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := do(t, s, r)
	wantStatus(t, w, http.StatusOK)
	return w.Body.String()
}

func TestGoldenDocsPage(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Docs = feedDocs() })
	for _, lang := range []string{"en", "zh"} {
		checkGolden(t, "docs-changelog."+lang+".golden", goldenGet(t, s, "/"+lang+"/docs/changelog"))
	}
}

func TestGoldenTopicPage(t *testing.T) {
	s, st := newForumServer(t)
	asker := userWithRole(t, s, st, "asker@example.com", "Asker", "member")
	loc := asker.ask("How do I reconnect after a network change?", "My client drops when Wi-Fi changes.\n\n```go\nc.Reconnect()\n```")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	staff := userWithRole(t, s, st, "staff@example.com", "Staff Member", "staff")
	wantStatus(t, staff.post("/en/forum/t/"+id+"/reply", map[string][]string{"body": {"Call **Reconnect** with a backoff."}}, true), http.StatusSeeOther)
	checkGolden(t, "topic.anonymous.en.golden", goldenGet(t, s, loc))
	checkGolden(t, "topic.anonymous.zh.golden", goldenGet(t, s, strings.Replace(loc, "/en/", "/zh/", 1)))
}

func TestGoldenStatusPage(t *testing.T) {
	// A fixed clock: the 30-day window's length depends on the time of day.
	env := newStatusEnvAt(t, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	for _, lang := range []string{"en", "zh"} {
		checkGolden(t, "status."+lang+".golden", goldenGet(t, env.s, "/"+lang+"/status"))
	}
}

// The status page with two engine nodes (-status-probe-urls) that were
// never probed: a row each under the availability table, with no data yet.
func TestGoldenStatusPageNodes(t *testing.T) {
	env := newStatusEnvWith(t, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), func(_ *statusEnv, c *status.Config) {
		c.NodeURLs = []string{"http://10.0.0.2:8080", "http://10.0.0.3:8080"}
	})
	for _, lang := range []string{"en", "zh"} {
		checkGolden(t, "status-nodes."+lang+".golden", goldenGet(t, env.s, "/"+lang+"/status"))
	}
}
