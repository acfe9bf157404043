package content

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ChangelogPath is the docs page whose "## " sections are releases.
const ChangelogPath = "changelog"

// Release is one "## VERSION (YYYY-MM-DD)" section of the changelog page.
// A section titled "Unreleased" (未发布) has a zero Date and is left out of
// the Atom feed.
type Release struct {
	Version      string
	Date         time.Time
	ID           string // the heading's anchor on the changelog page
	HTML         []byte // the section's body
	Deprecations []Deprecation
}

// Deprecation is a "> [!DEPRECATED]" alert inside a release: which API,
// since which version, and what replaces it, written as one sentence.
type Deprecation struct {
	Release string // the version that announced it
	HTML    []byte
	Text    string // the notice as plain text (a feed entry's title)
}

var releaseHeading = regexp.MustCompile(`^(\S+)(?:\s+\((\d{4}-\d{2}-\d{2})\))?\s*$`)

// parseChangelog splits the changelog body into releases at its level-two
// headings (outside code fences) and renders each one.
func parseChangelog(r *Renderer, body []byte, lang string) ([]Release, error) {
	type chunk struct {
		heading string
		lines   []string
	}
	var chunks []chunk
	var fence fenceTracker
	for _, line := range strings.SplitAfter(string(body), "\n") {
		if !fence.step(line) && strings.HasPrefix(line, "## ") {
			chunks = append(chunks, chunk{heading: strings.TrimSpace(line[3:])})
			continue
		}
		if len(chunks) > 0 {
			chunks[len(chunks)-1].lines = append(chunks[len(chunks)-1].lines, line)
		}
	}
	ids := newHeadingIDs()
	var out []Release
	for _, c := range chunks {
		m := releaseHeading.FindStringSubmatch(c.heading)
		if m == nil {
			return nil, fmt.Errorf("changelog: heading %q is not \"VERSION (YYYY-MM-DD)\" or \"Unreleased\"", c.heading)
		}
		rel := Release{Version: m[1], ID: string(ids.Generate([]byte(c.heading), 0))}
		if m[2] != "" {
			d, err := time.Parse("2006-01-02", m[2])
			if err != nil {
				return nil, fmt.Errorf("changelog: %q: %w", c.heading, err)
			}
			rel.Date = d
		}
		src := strings.Join(c.lines, "")
		out1, err := r.RenderLang([]byte(src), lang)
		if err != nil {
			return nil, fmt.Errorf("changelog %s: %w", rel.Version, err)
		}
		rel.HTML = out1.HTML
		for _, text := range deprecationTexts(src) {
			h, err := r.RenderLang([]byte(text), lang)
			if err != nil {
				return nil, fmt.Errorf("changelog %s: %w", rel.Version, err)
			}
			rel.Deprecations = append(rel.Deprecations, Deprecation{Release: rel.Version, HTML: bytes.TrimSpace(h.HTML),
				Text: strings.TrimSpace(h.Text)})
		}
		out = append(out, rel)
	}
	return out, nil
}

// deprecationTexts returns the bodies of the "> [!DEPRECATED]" alerts in src.
func deprecationTexts(src string) []string {
	var out []string
	var cur []string
	in := false
	flush := func() {
		if in && len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
		}
		cur, in = nil, false
	}
	var fence fenceTracker // an alert shown inside a code block is an example, not a deprecation
	for _, line := range strings.Split(src, "\n") {
		if fence.step(line) {
			flush()
			continue
		}
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, ">") {
			flush()
			continue
		}
		inner := strings.TrimSpace(strings.TrimPrefix(t, ">"))
		if strings.EqualFold(inner, "[!DEPRECATED]") {
			flush()
			in = true
			continue
		}
		if in {
			cur = append(cur, inner)
		}
	}
	flush()
	return out
}

// Releases returns lang's changelog, newest first as written.
func (s *Site) Releases(lang string) []Release { return s.releases[lang] }

// Deprecations returns every deprecation announced in lang's changelog.
func (s *Site) Deprecations(lang string) []Deprecation {
	var out []Deprecation
	for _, r := range s.releases[lang] {
		out = append(out, r.Deprecations...)
	}
	return out
}

// fenceTracker follows fenced code blocks line by line, as CommonMark
// closes them: only a fence of the opening character, at least as long,
// with nothing after it, ends a block, so "```sdk-support" or "```" inside
// a "````" block is code. Indentation is ignored (blocks in list items).
type fenceTracker struct{ open string } // the opening run of ` or ~; "" outside a block

// step reports whether line opens, is inside, or closes a fenced block.
func (f *fenceTracker) step(line string) bool {
	t := strings.TrimSpace(line)
	run := fenceRun(t)
	if f.open == "" {
		if run == "" || (run[0] == '`' && strings.Contains(t[len(run):], "`")) {
			return false // a backtick fence's info string has no backtick: this is inline code
		}
		f.open = run
		return true
	}
	if run != "" && run[0] == f.open[0] && len(run) >= len(f.open) && strings.TrimSpace(t[len(run):]) == "" {
		f.open = ""
	}
	return true
}

// fenceRun is t's leading run of three or more backticks or tildes.
func fenceRun(t string) string {
	if t == "" || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := len(t) - len(strings.TrimLeft(t, t[:1]))
	if n < 3 {
		return ""
	}
	return t[:n]
}
