package content

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every token colour of the highlight stylesheet is readable (WCAG AA,
// 4.5:1) on the code background of its theme, and every class has both a
// light and a dark colour.
func TestHighlightCSSContrast(t *testing.T) {
	css := string(HighlightCSS())
	rule := regexp.MustCompile(`\.chroma \.(\w+) \{ color: light-dark\(#([0-9a-f]{6}), #([0-9a-f]{6})\)`)
	rules := rule.FindAllStringSubmatch(css, -1)
	if len(rules) < 50 {
		t.Fatalf("%d token rules with a light and a dark colour, want every token class:\n%s", len(rules), css)
	}
	if n := strings.Count(css, ".chroma ."); n != len(rules) {
		t.Errorf("%d token rules, %d of them with light-dark colours", n, len(rules))
	}
	for _, m := range rules {
		l, _ := strconv.ParseInt(m[2], 16, 32)
		d, _ := strconv.ParseInt(m[3], 16, 32)
		if c := contrast(int(l), CodeBgLight); c < 4.5 {
			t.Errorf(".%s light #%s: contrast %.2f, want >= 4.5", m[1], m[2], c)
		}
		if c := contrast(int(d), CodeBgDark); c < 4.5 {
			t.Errorf(".%s dark #%s: contrast %.2f, want >= 4.5", m[1], m[3], c)
		}
	}
	// GitHub's dark style leaves names (.nx) to the text colour; they must
	// not keep the light style's near-black.
	for _, m := range rules {
		if m[1] == "nx" && m[3] == "1f2328" {
			t.Errorf(".nx dark colour is the light text colour #%s", m[3])
		}
	}
}

func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b int
		want float64
	}{{0x000000, 0xffffff, 21}, {0xffffff, 0xffffff, 1}, {0x767676, 0xffffff, 4.54}} {
		if got := contrast(tc.a, tc.b); got < tc.want-0.01 || got > tc.want+0.01 {
			t.Errorf("contrast(#%06x, #%06x) = %.2f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}
