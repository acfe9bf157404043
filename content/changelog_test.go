package content

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestChangelogReleases(t *testing.T) {
	fsys := testTree(t)
	fsys["en/changelog.md"] = md("Changelog", 90, "", "Intro.\n\n"+
		"## Unreleased\n\n- Work in progress.\n\n"+
		"## 0.2.0 (2026-12-01)\n\n### Changed\n\n- Faster.\n\n"+
		"> [!DEPRECATED]\n> `client.Foo` is deprecated since 0.2.0: use `client.Bar`.\n\n"+
		"```markdown\n## 9.9.9 (1999-01-01)\n```\n\n"+
		"## 0.1.0 (2026-11-25)\n\n- First release.\n\n"+
		"How to announce one:\n\n```markdown\n> [!DEPRECATED]\n> An example, not a deprecation.\n```\n")
	s, err := Load(fsys, NewDocsRenderer(nil, testLabels))
	if err != nil {
		t.Fatal(err)
	}
	rels := s.Releases("en")
	var got []string
	for _, r := range rels {
		got = append(got, r.Version+" "+r.Date.Format(time.DateOnly)+" #"+r.ID)
	}
	want := []string{"Unreleased 0001-01-01 #unreleased", "0.2.0 2026-12-01 #020-2026-12-01", "0.1.0 2026-11-25 #010-2026-11-25"}
	if !slices.Equal(got, want) {
		t.Fatalf("got releases %q, want %q (a heading inside a code block is not a release)", got, want)
	}
	if !strings.Contains(string(rels[1].HTML), "Faster.") || strings.Contains(string(rels[1].HTML), "First release") {
		t.Errorf("got 0.2.0 HTML %s, want only its own section", rels[1].HTML)
	}
	deps := s.Deprecations("en")
	if len(deps) != 1 || deps[0].Release != "0.2.0" || !strings.Contains(string(deps[0].HTML), "<code>client.Bar</code>") {
		t.Errorf("got deprecations %q, want one from 0.2.0 naming client.Bar (an alert shown in a code block is an example)", deps)
	}
	page, _ := s.Page("en", ChangelogPath)
	for _, r := range rels {
		if !strings.Contains(string(page.HTML), `id="`+r.ID+`"`) {
			t.Errorf("release %s: got ID %q, which the changelog page has no anchor for", r.Version, r.ID)
		}
	}
	// The untranslated Chinese changelog falls back to the English releases.
	if got := len(s.Releases("zh")); got != len(rels) {
		t.Errorf("got %d zh releases, want %d", got, len(rels))
	}

	fsys["en/changelog.md"] = md("Changelog", 90, "", "## 0.1.0 (2026-13-45)\n")
	if _, err := Load(fsys, NewDocsRenderer(nil, testLabels)); err == nil || !strings.Contains(err.Error(), "2026-13-45") {
		t.Errorf("impossible release date: got %v, want an error naming it", err)
	}
	fsys["en/changelog.md"] = md("Changelog", 90, "", "## Version one point oh\n")
	if _, err := Load(fsys, NewDocsRenderer(nil, testLabels)); err == nil {
		t.Errorf("heading that is not a release: got no error, want one")
	}
}

// The Chinese changelog must list the same releases as the English one,
// and every release's anchor must exist on the page (the Atom feed links it).
func TestRealChangelog(t *testing.T) {
	s := loadRealDocs(t)
	var versions [2][]string
	for i, lang := range Languages {
		page, ok := s.Page(lang, ChangelogPath)
		if !ok {
			t.Fatalf("%s: got no changelog page, want one", lang)
		}
		for _, r := range s.Releases(lang) {
			v := r.Version
			if r.Date.IsZero() {
				v = "(unreleased)" // "Unreleased" and "未发布" are the same section
			}
			versions[i] = append(versions[i], v+" "+r.Date.Format(time.DateOnly))
			if !strings.Contains(string(page.HTML), `id="`+r.ID+`"`) {
				t.Errorf("%s release %s: got ID %q with no anchor on the page", lang, r.Version, r.ID)
			}
		}
	}
	if len(versions[0]) == 0 {
		t.Fatal("got no English releases, want some")
	}
	if !slices.Equal(versions[0], versions[1]) {
		t.Errorf("got releases en %q and zh %q, want the same", versions[0], versions[1])
	}
}
