package portal

import (
	"context"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/usage"
)

// censusSource is engine counters with the given SDK census.
type censusSource struct{ u []engine.AppUsage }

func (c *censusSource) TakeUsage() []engine.AppUsage { out := c.u; c.u = nil; return out }

// docsWith is the real docs tree with each file's text edited by its
// function.
func docsWith(t *testing.T, edits map[string]func(string) string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(content.Docs(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.Docs(), p)
		if edit := edits[p]; edit != nil {
			b = []byte(edit(string(b)))
		}
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// censusPage creates an app for a new user, records the given SDK census
// for it, and returns a getter of its usage page by language.
func censusPage(t *testing.T, ct *consoleTest, sdks map[string]int64) func(lang string) string {
	t.Helper()
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Old clients"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	if page := alice.get("/en/console/apps/" + id + "/usage").Body.String(); strings.Contains(page, "data-sdk-upgrade") {
		t.Fatal("upgrade guidance without any connection")
	}
	src := &censusSource{u: []engine.AppUsage{{AppID: id, Connections: 3, PeakConnections: 3, SDKs: sdks}}}
	writer, err := usage.New(context.Background(), usage.Config{DB: ct.s.cfg.DB, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return func(lang string) string {
		return alice.get("/" + lang + "/console/apps/" + id + "/usage").Body.String()
	}
}

// censusRating is the rating the census page shows for key.
func censusRating(t *testing.T, page, key string) (rating, label string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-sdk="` + regexp.QuoteMeta(key) + `">.*?data-sdk-rating="([a-z_]+)">([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		i := strings.Index(page, "data-sdks")
		t.Fatalf("census has no rated row for %q:\n%.1500s", key, page[max(i, 0):])
	}
	return m[1], m[2]
}

// TestConsoleCensusRatesByChangelog: the census rates each connected
// release by the changelog's sdk-support block, in both languages, and
// links the changelog's upgrade notes in the page's language.
func TestConsoleCensusRatesByChangelog(t *testing.T) {
	// The changelog as it might read once 0.2.0 deprecates 0.1.0: the Go
	// SDK's upgrade notes are in the Unreleased section.
	edit := func(anchor string) func(string) string {
		return func(s string) string {
			s = strings.ReplaceAll(s, "deprecated-below: 0.1.0", "deprecated-below: 0.2.0")
			return strings.Replace(s, "upgrade: #010-2026-11-25", "upgrade: #"+anchor, 1)
		}
	}
	ct := newConsoleServer(t, func(cfg *Config) {
		cfg.Docs = docsWith(t, map[string]func(string) string{"en/changelog.md": edit("unreleased"), "zh/changelog.md": edit("未发布")})
	})
	if r := ct.s.docs.site.SDKSupport("en"); len(r) == 0 || r[0].SDK != client.SDKName || r[0].DeprecatedBelow != "0.2.0" {
		t.Fatalf("edited changelog: got rules %+v", r)
	}
	get := censusPage(t, ct, map[string]int64{"switchboard-go 0.0.9": 1, "switchboard-go 0.1.0": 2, "switchboard-go 0.2.0": 3,
		"switchboard-js 0.1.0-beta": 1, "someone-elses-sdk 0.0.1": 1, "switchboard-go banana": 1, "": 1})
	en, zh := get("en"), get("zh")
	for key, want := range map[string][2]string{
		"switchboard-go 0.0.9":      {"unsupported", "不受支持"},
		"switchboard-go 0.1.0":      {"deprecated", "已弃用"},
		"switchboard-go 0.2.0":      {"current", "当前"},
		"switchboard-js 0.1.0-beta": {"deprecated", "已弃用"},
		"someone-elses-sdk 0.0.1":   {"not_rated", "未评定"},
		"switchboard-go banana":     {"not_rated", "未评定"},
		"":                          {"not_rated", "未评定"},
	} {
		if rating, label := censusRating(t, en, key); rating != want[0] || label != strings.ReplaceAll(want[0], "_", " ") {
			t.Errorf("en %q: got %s %q, want %s", key, rating, label, want[0])
		}
		if rating, label := censusRating(t, zh, key); rating != want[0] || label != want[1] {
			t.Errorf("zh %q: got %s %q, want %s %q", key, rating, label, want[0], want[1])
		}
	}
	for _, w := range []string{`href="/en/docs/changelog#unreleased" data-sdk-upgrade-link="switchboard-go">Upgrade notes for switchboard-go`,
		`href="/en/docs/changelog#010-2026-11-25" data-sdk-upgrade-link="switchboard-js"`} {
		if !strings.Contains(en, w) {
			i := strings.Index(en, "data-sdk-upgrade")
			t.Errorf("en census lacks %q:\n%.800s", w, en[max(i, 0):])
		}
	}
	if want := `href="/zh/docs/changelog#` + url.PathEscape("未发布") + `"`; !strings.Contains(strings.ToLower(zh), strings.ToLower(want)) ||
		!strings.Contains(zh, "switchboard-go 的升级说明") {
		i := strings.Index(zh, "data-sdk-upgrade")
		t.Errorf("zh census: no Chinese upgrade link %s:\n%.800s", want, zh[max(i, 0):])
	}
	// The upgrade notes the census links to are on the changelog page.
	body := newBrowser(t, ct.s).get("/zh/docs/changelog").Body.String()
	if !strings.Contains(body, `id="未发布"`) || !strings.Contains(body, "data-sdk-support") {
		t.Errorf("zh changelog has no #未发布 heading or supported-versions note")
	}
}

// TestConsoleCensusRealChangelog: with the changelog as it is, both SDKs
// are rated and the release this tree builds is current; older releases
// below the changelog's floor are marked.
func TestConsoleCensusRealChangelog(t *testing.T) {
	ct := newConsoleServer(t)
	rules := ct.s.docs.site.SDKSupport("en")
	for _, name := range []string{client.SDKName, "switchboard-js"} {
		if r, _ := content.RateSDK(rules, name, client.Version); r != content.SDKCurrent {
			t.Errorf("the changelog rates %s %s (this release) %s, want current", name, client.Version, r)
		}
	}
	get := censusPage(t, ct, map[string]int64{client.SDKName + " " + client.Version: 2, client.SDKName + " 0.0.1": 1})
	page := get("en")
	if r, _ := censusRating(t, page, client.SDKName+" "+client.Version); r != "current" {
		t.Errorf("this release: got %s, want current", r)
	}
	want, rule := content.RateSDK(rules, client.SDKName, "0.0.1")
	if r, _ := censusRating(t, page, client.SDKName+" 0.0.1"); r != string(want) || rule == nil {
		t.Errorf("0.0.1: got %s, want %s as the changelog says", r, want)
	}
	if want != content.SDKCurrent && !strings.Contains(page, `href="/en/docs/changelog#`+rule.Upgrade+`"`) {
		t.Errorf("no link to the changelog's upgrade notes #%s", rule.Upgrade)
	}
}
