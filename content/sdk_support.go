package content

import (
	"bufio"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// The changelog states which SDK releases are still current in fenced
// blocks whose language is sdk-support. They are data, read at load, and
// the page shows them as a "Supported versions" note instead of code:
//
//	```sdk-support
//	sdk: switchboard-go
//	deprecated-below: 0.2.0
//	unsupported-below: 0.1.0
//	upgrade: #upgrading-to-020
//	```
//
// A block holds one or more records; each starts with an sdk: line, and a
// blank line or # comment is ignored. deprecated-below is required,
// unsupported-below is optional (nothing is unsupported without it) and may
// not be newer than deprecated-below, and upgrade names the anchor of a
// ## or ### heading of the same changelog page. Versions are MAJOR.MINOR.PATCH.
// Every language's changelog must state the same rules (only the anchor
// differs, as headings are translated).

// SDKSupportLang is the fence language of an SDK support block.
const SDKSupportLang = "sdk-support"

// SDKRule is what the changelog says of one SDK's releases.
type SDKRule struct {
	SDK              string // the name the SDK sends in connect
	DeprecatedBelow  string // releases older than this are deprecated
	UnsupportedBelow string // releases older than this are unsupported; "" for none
	Upgrade          string // the changelog heading ID with the upgrade notes, without "#"
}

// SDKRating is how the changelog rates a connected SDK release.
type SDKRating string

// The ratings. An SDK the changelog has no rule for, or a version that is
// not MAJOR.MINOR.PATCH, is not rated.
const (
	SDKNotRated    SDKRating = "not_rated"
	SDKCurrent     SDKRating = "current"
	SDKDeprecated  SDKRating = "deprecated"
	SDKUnsupported SDKRating = "unsupported"
)

// RateSDK rates release version of SDK name by rules, and returns the rule
// that applied (nil when not rated).
func RateSDK(rules []SDKRule, name, version string) (SDKRating, *SDKRule) {
	i := slices.IndexFunc(rules, func(r SDKRule) bool { return r.SDK == name })
	if i < 0 {
		return SDKNotRated, nil
	}
	v, ok := parseSemver(version)
	if !ok {
		return SDKNotRated, nil
	}
	r := &rules[i]
	if u, ok := parseSemver(r.UnsupportedBelow); ok && v.less(u) {
		return SDKUnsupported, r
	}
	if d, _ := parseSemver(r.DeprecatedBelow); v.less(d) {
		return SDKDeprecated, r
	}
	return SDKCurrent, r
}

// SDKSupport returns the SDK rules of lang's changelog, in the order written.
func (s *Site) SDKSupport(lang string) []SDKRule { return s.sdkRules[lang] }

type semver [3]int

func (a semver) less(b semver) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// parseSemver reads MAJOR.MINOR.PATCH, ignoring a pre-release or build
// suffix ("0.2.0-beta.1" rates as 0.2.0).
func parseSemver(s string) (semver, bool) {
	var out semver
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p != strconv.Itoa(n) {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

// parseSDKSupport reads the records of one sdk-support block.
func parseSDKSupport(code string) ([]SDKRule, error) {
	var out []SDKRule
	sc := bufio.NewScanner(strings.NewReader(code))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return nil, fmt.Errorf("sdk-support line %d: %q is not \"key: value\"", n, line)
		}
		if key == "sdk" {
			out = append(out, SDKRule{SDK: val})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("sdk-support line %d: %q comes before the first sdk: line", n, line)
		}
		r := &out[len(out)-1]
		var field *string
		switch key {
		case "deprecated-below":
			field = &r.DeprecatedBelow
		case "unsupported-below":
			field = &r.UnsupportedBelow
		case "upgrade":
			if !strings.HasPrefix(val, "#") || len(val) < 2 {
				return nil, fmt.Errorf("sdk-support line %d: upgrade %q is not \"#heading-id\" of the changelog", n, val)
			}
			val = val[1:]
			field = &r.Upgrade
		default:
			return nil, fmt.Errorf("sdk-support line %d: unknown key %q (want sdk, deprecated-below, unsupported-below or upgrade)", n, key)
		}
		if *field != "" {
			return nil, fmt.Errorf("sdk-support line %d: %s given twice for %s", n, key, r.SDK)
		}
		if key != "upgrade" {
			if _, ok := parseSemver(val); !ok || strings.ContainsAny(val, "-+") {
				return nil, fmt.Errorf("sdk-support line %d: %s %q is not MAJOR.MINOR.PATCH", n, key, val)
			}
		}
		*field = val
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sdk-support: the block names no sdk")
	}
	for _, r := range out {
		if r.DeprecatedBelow == "" || r.Upgrade == "" {
			return nil, fmt.Errorf("sdk-support %s: deprecated-below and upgrade are required", r.SDK)
		}
		d, _ := parseSemver(r.DeprecatedBelow)
		if u, ok := parseSemver(r.UnsupportedBelow); ok && d.less(u) {
			return nil, fmt.Errorf("sdk-support %s: unsupported-below %s is newer than deprecated-below %s", r.SDK, r.UnsupportedBelow, r.DeprecatedBelow)
		}
	}
	return out, nil
}

// checkSDKRules checks the rules of a changelog page: each SDK once, each
// upgrade anchor a heading of the page (toc), and, for a translation, the
// same versions as the English rules en.
func checkSDKRules(rules []SDKRule, toc []Heading, en []SDKRule, lang string) error {
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.SDK] {
			return fmt.Errorf("sdk-support: %s has two records", r.SDK)
		}
		seen[r.SDK] = true
		if !slices.ContainsFunc(toc, func(h Heading) bool { return h.ID == r.Upgrade }) {
			return fmt.Errorf("sdk-support %s: upgrade #%s is not a heading of the changelog", r.SDK, r.Upgrade)
		}
	}
	if lang == SourceLang {
		return nil
	}
	versions := func(rs []SDKRule) string {
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "%s deprecated-below %s unsupported-below %q; ", r.SDK, r.DeprecatedBelow, r.UnsupportedBelow)
		}
		return b.String()
	}
	if a, b := versions(rules), versions(en); a != b {
		return fmt.Errorf("sdk-support: the %s changelog says %s the English one %s: copy the English blocks (translating only the upgrade anchors)", lang, a, b)
	}
	return nil
}

// sdkSupportBlock is an sdk-support fenced block, shown as a note.
type sdkSupportBlock struct {
	ast.BaseBlock
	rules []SDKRule
	lang  string
}

var kindSDKSupport = ast.NewNodeKind("SwitchboardSDKSupport")

func (n *sdkSupportBlock) Kind() ast.NodeKind { return kindSDKSupport }
func (n *sdkSupportBlock) IsRaw() bool        { return true }
func (n *sdkSupportBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

var parserKeySDK = parser.NewContextKey()

// sdkSupportNode parses an sdk-support block's code, records its rules in
// pc for Rendered.SDKSupport, and returns the node that replaces it.
func sdkSupportNode(pc parser.Context, code string) (*sdkSupportBlock, error) {
	rules, err := parseSDKSupport(code)
	if err != nil {
		return nil, err
	}
	all, _ := pc.Get(parserKeySDK).([]SDKRule)
	pc.Set(parserKeySDK, append(all, rules...))
	return &sdkSupportBlock{rules: rules, lang: langOf(pc)}, nil
}

func (r *nodeRenderer) renderSDKSupport(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := n.(*sdkSupportBlock)
	l := func(id string) string { return html.EscapeString(r.labels(b.lang, "docs.sdk_support."+id)) }
	fmt.Fprintf(w, `<div class="alert alert-note sdk-support" data-sdk-support><p class="alert-title">%s</p>`, l("title"))
	fmt.Fprintf(w, `<table><thead><tr><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th></tr></thead><tbody>`,
		l("sdk"), l("deprecated_below"), l("unsupported_below"), l("upgrade"))
	for _, rule := range b.rules {
		unsupported := "–"
		if rule.UnsupportedBelow != "" {
			unsupported = html.EscapeString(rule.UnsupportedBelow)
		}
		fmt.Fprintf(w, `<tr data-sdk="%s"><td><code>%s</code></td><td>%s</td><td>%s</td><td><a href="#%s">%s</a></td></tr>`,
			html.EscapeString(rule.SDK), html.EscapeString(rule.SDK), html.EscapeString(rule.DeprecatedBelow), unsupported,
			html.EscapeString(rule.Upgrade), l("upgrade_link"))
	}
	w.WriteString("</tbody></table></div>\n")
	return ast.WalkSkipChildren, nil
}
