package content

import (
	"reflect"
	"strings"
	"testing"
)

// sdkChangelog is a changelog whose intro holds an sdk-support block.
func sdkChangelog(block, releases string) string {
	return "Releases.\n\n```sdk-support\n" + block + "```\n\n" + releases
}

const sdkBlock = "sdk: switchboard-go\ndeprecated-below: 0.2.0\nunsupported-below: 0.1.0\nupgrade: #upgrading-to-020\n\n" +
	"# the JavaScript SDK has no unsupported releases yet\nsdk: switchboard-js\ndeprecated-below: 0.2.0\nupgrade: #020-2026-12-01\n"

const sdkReleases = "## 0.2.0 (2026-12-01)\n\n### Upgrading to 0.2.0\n\n- Rename things.\n\n## 0.1.0 (2026-11-25)\n\n- First.\n"

func TestSDKSupportFromChangelog(t *testing.T) {
	fsys := testTree(t)
	fsys["en/changelog.md"] = md("Changelog", 90, "", sdkChangelog(sdkBlock, sdkReleases))
	fsys["zh/changelog.md"] = md("更新日志", 90, "", sdkChangelog(strings.ReplaceAll(sdkBlock, "#upgrading-to-020", "#升级到-020"),
		strings.ReplaceAll(sdkReleases, "Upgrading to 0.2.0", "升级到 0.2.0")))
	s, err := Load(fsys, NewDocsRenderer(nil, testLabels))
	if err != nil {
		t.Fatal(err)
	}
	want := []SDKRule{{SDK: "switchboard-go", DeprecatedBelow: "0.2.0", UnsupportedBelow: "0.1.0", Upgrade: "upgrading-to-020"},
		{SDK: "switchboard-js", DeprecatedBelow: "0.2.0", Upgrade: "020-2026-12-01"}}
	if got := s.SDKSupport("en"); !reflect.DeepEqual(got, want) {
		t.Fatalf("got en rules %+v, want %+v", got, want)
	}
	if got := s.SDKSupport("zh"); len(got) != 2 || got[0].Upgrade != "升级到-020" || got[1].Upgrade != "020-2026-12-01" {
		t.Fatalf("got zh rules %+v, want the Chinese upgrade anchor", got)
	}
	// The block is shown as a note, not as code.
	page, _ := s.Page("en", ChangelogPath)
	h := string(page.HTML)
	if strings.Contains(h, "language-sdk-support") || strings.Contains(h, "deprecated-below:") {
		t.Errorf("the sdk-support block is shown as code:\n%s", h)
	}
	for _, w := range []string{`data-sdk-support`, "Supported versions", `<tr data-sdk="switchboard-go"><td><code>switchboard-go</code></td><td>0.2.0</td><td>0.1.0</td><td><a href="#upgrading-to-020">Upgrade notes</a>`,
		`<tr data-sdk="switchboard-js"><td><code>switchboard-js</code></td><td>0.2.0</td><td>–</td>`} {
		if !strings.Contains(h, w) {
			t.Errorf("changelog HTML lacks %q:\n%s", w, h)
		}
	}
	zh, _ := s.Page("zh", ChangelogPath)
	if !strings.Contains(string(zh.HTML), "受支持的版本") || !strings.Contains(string(zh.HTML), `href="#升级到-020"`) {
		t.Errorf("zh note has no Chinese title or anchor:\n%s", zh.HTML)
	}
	// The releases are unchanged by the block in the intro.
	if got := len(s.Releases("en")); got != 2 {
		t.Errorf("got %d releases, want 2", got)
	}

	// An untranslated changelog uses the English rules and anchors.
	delete(fsys, "zh/changelog.md")
	if s, err = Load(fsys, NewDocsRenderer(nil, testLabels)); err != nil {
		t.Fatal(err)
	}
	if got := s.SDKSupport("zh"); !reflect.DeepEqual(got, want) {
		t.Errorf("untranslated zh: got %+v, want the English rules", got)
	}
}

func TestSDKSupportBadBlock(t *testing.T) {
	for _, tt := range []struct {
		name, changelog, zh, want string
	}{
		{"unknown key", sdkChangelog("sdk: switchboard-go\ndeprecated-below: 0.2.0\nremoved-in: 0.3.0\nupgrade: #020-2026-12-01\n", sdkReleases), "", `unknown key "removed-in"`},
		{"not semver", sdkChangelog("sdk: switchboard-go\ndeprecated-below: 0.2\nupgrade: #020-2026-12-01\n", sdkReleases), "", `deprecated-below "0.2" is not MAJOR.MINOR.PATCH`},
		{"no sdk line first", sdkChangelog("deprecated-below: 0.2.0\n", sdkReleases), "", "before the first sdk: line"},
		{"no deprecated-below", sdkChangelog("sdk: switchboard-go\nupgrade: #020-2026-12-01\n", sdkReleases), "", "deprecated-below and upgrade are required"},
		{"unsupported newer", sdkChangelog("sdk: switchboard-go\ndeprecated-below: 0.1.0\nunsupported-below: 0.2.0\nupgrade: #020-2026-12-01\n", sdkReleases), "", "newer than deprecated-below"},
		{"no such anchor", sdkChangelog("sdk: switchboard-go\ndeprecated-below: 0.2.0\nupgrade: #nowhere\n", sdkReleases), "", "upgrade #nowhere is not a heading"},
		{"anchor without #", sdkChangelog("sdk: switchboard-go\ndeprecated-below: 0.2.0\nupgrade: nowhere\n", sdkReleases), "", `upgrade "nowhere" is not "#heading-id"`},
		{"twice", sdkChangelog("sdk: a\ndeprecated-below: 0.2.0\nupgrade: #020-2026-12-01\nsdk: a\ndeprecated-below: 0.2.0\nupgrade: #020-2026-12-01\n", sdkReleases), "", "a has two records"},
		{"empty", sdkChangelog("", sdkReleases), "", "names no sdk"},
		{"translation disagrees", sdkChangelog(sdkBlock, sdkReleases),
			sdkChangelog(strings.ReplaceAll(sdkBlock, "0.2.0", "0.3.0"), sdkReleases), "the zh changelog says"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fsys := testTree(t)
			fsys["en/changelog.md"] = md("Changelog", 90, "", tt.changelog)
			if tt.zh != "" {
				fsys["zh/changelog.md"] = md("更新日志", 90, "", tt.zh)
			}
			_, err := Load(fsys, NewDocsRenderer(nil, testLabels))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "changelog.md") {
				t.Fatalf("got error %v, want one naming the changelog file and %q", err, tt.want)
			}
		})
	}
	t.Run("outside the changelog", func(t *testing.T) {
		fsys := testTree(t)
		fsys["en/overview.md"] = md("Overview", 10, "", "```sdk-support\nsdk: a\ndeprecated-below: 0.1.0\nupgrade: #x\n```\n")
		if _, err := Load(fsys, NewDocsRenderer(nil, testLabels)); err == nil || !strings.Contains(err.Error(), "changelog page only") {
			t.Fatalf("got %v, want an error: the block belongs on the changelog", err)
		}
	})
}

// A "```sdk-support" line, or a release heading, inside a longer fence is
// an example: it neither ends the block for the release splitter nor
// becomes a rule.
func TestChangelogFenceHoldsSDKSupportExample(t *testing.T) {
	fsys := testTree(t)
	fsys["en/changelog.md"] = md("Changelog", 90, "", "## 0.2.0 (2026-12-01)\n\nHow to state support:\n\n"+
		"````markdown\n```sdk-support\nsdk: switchboard-go\ndeprecated-below: 0.2.0\nupgrade: #x\n```\n\n## 9.9.9 (1999-01-01)\n\n"+
		"> [!DEPRECATED]\n> An example, not a deprecation.\n````\n\n"+
		"~~~\n```\n## 8.8.8\n~~~\n\n"+
		"```text\n```sdk-support\n## 7.7.7 (1999-01-01)\n```\n\n## 0.1.0 (2026-11-25)\n\n- First.\n")
	s, err := Load(fsys, NewDocsRenderer(nil, testLabels))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range s.Releases("en") {
		got = append(got, r.Version)
	}
	if strings.Join(got, " ") != "0.2.0 0.1.0" {
		t.Fatalf("got releases %q, want 0.2.0 and 0.1.0 (headings inside fences are code)", got)
	}
	if rel := s.Releases("en")[0]; !strings.Contains(string(rel.HTML), "## 9.9.9") || !strings.Contains(string(rel.HTML), "## 7.7.7") || !strings.Contains(string(rel.HTML), "language-markdown") {
		t.Errorf("0.2.0 does not hold its whole example block:\n%s", rel.HTML)
	}
	if r := s.SDKSupport("en"); len(r) != 0 {
		t.Errorf("got rules %+v from an example inside a fence, want none", r)
	}
	if d := s.Deprecations("en"); len(d) != 0 {
		t.Errorf("got deprecations %+v from an example inside a fence, want none", d)
	}
}

func TestRateSDK(t *testing.T) {
	rules := []SDKRule{{SDK: "switchboard-go", DeprecatedBelow: "0.2.0", UnsupportedBelow: "0.1.0", Upgrade: "u"},
		{SDK: "switchboard-js", DeprecatedBelow: "0.2.0", Upgrade: "u"}}
	for _, tt := range []struct {
		name, version string
		want          SDKRating
	}{
		{"switchboard-go", "0.0.9", SDKUnsupported},
		{"switchboard-go", "0.1.0", SDKDeprecated},
		{"switchboard-go", "0.1.9-beta", SDKDeprecated},
		{"switchboard-go", "0.2.0", SDKCurrent},
		{"switchboard-go", "0.2.0-rc.1", SDKCurrent},
		{"switchboard-go", "0.10.0", SDKCurrent},
		{"switchboard-go", "1.0.0", SDKCurrent},
		{"switchboard-js", "0.0.1", SDKDeprecated},
		{"switchboard-go", "banana", SDKNotRated},
		{"switchboard-go", "0.2", SDKNotRated},
		{"switchboard-go", "01.2.3", SDKNotRated},
		{"switchboard-go", "", SDKNotRated},
		{"someone-elses-sdk", "0.0.1", SDKNotRated},
		{"", "", SDKNotRated},
	} {
		got, rule := RateSDK(rules, tt.name, tt.version)
		if got != tt.want || (got == SDKNotRated) != (rule == nil) || (rule != nil && rule.SDK != tt.name) {
			t.Errorf("RateSDK(%q, %q) = %v, %+v; want %v", tt.name, tt.version, got, rule, tt.want)
		}
	}
}
