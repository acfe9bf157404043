package portal

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/usage"
)

// censusSource is engine counters with the given SDK census.
type censusSource struct{ u []engine.AppUsage }

func (c *censusSource) TakeUsage() []engine.AppUsage { out := c.u; c.u = nil; return out }

// TestConsoleCensusDeprecation: releases older than the supported minimum
// are marked deprecated on the census, with the upgrade guidance; current
// ones are not.
func TestConsoleCensusDeprecation(t *testing.T) {
	ct := newConsoleServer(t)
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Old clients"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]

	page := alice.get("/en/console/apps/" + id + "/usage").Body.String()
	if strings.Contains(page, "data-sdk-upgrade") {
		t.Fatal("upgrade guidance without any connection")
	}
	old, cur := client.SDKName+" 0.0.9", client.SDKName+" "+client.Version
	src := &censusSource{u: []engine.AppUsage{{AppID: id, Connections: 3, PeakConnections: 3,
		SDKs: map[string]int64{old: 2, cur: 1}}}}
	writer, err := usage.New(context.Background(), usage.Config{DB: ct.s.cfg.DB, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	page = alice.get("/en/console/apps/" + id + "/usage").Body.String()
	row := func(key string) string {
		m := regexp.MustCompile(`(?s)<tr data-sdk="` + regexp.QuoteMeta(key) + `">(.*?)</tr>`).FindStringSubmatch(page)
		if m == nil {
			i := strings.Index(page, "data-sdks")
			t.Fatalf("census has no row for %q:\n%.1500s", key, page[max(i, 0):])
		}
		return m[1]
	}
	if !strings.Contains(row(old), "data-sdk-deprecated") || strings.Contains(row(cur), "data-sdk-deprecated") {
		t.Fatalf("deprecation marks: old %q, current %q", row(old), row(cur))
	}
	if !strings.Contains(page, "data-sdk-upgrade") || !strings.Contains(page, "older than "+client.MinSupportedVersion) ||
		!strings.Contains(page, "/en/docs/engine/sdk-versions#supported-releases") {
		t.Fatal("no upgrade guidance naming the supported minimum and linking the upgrade notes")
	}
	zh := alice.get("/zh/console/apps/" + id + "/usage").Body.String()
	if !strings.Contains(zh, "已弃用") || !strings.Contains(strings.ToLower(zh), strings.ToLower("/zh/docs/engine/sdk-versions#"+url.PathEscape("受支持的版本"))) {
		i := strings.Index(zh, "data-sdk-upgrade")
		t.Fatalf("zh census: no Chinese deprecation mark or upgrade link: %.600s", zh[max(i, 0):])
	}
}
