package portal

import (
	"context"
	"strings"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/usage"
)

// The SDK census of an app's usage page: each connected "name version",
// rated by the supported versions the changelog states (content.SDKRule),
// with a link to the changelog's upgrade notes in the page's language.

// sdkRow is one "name version" of the census.
type sdkRow struct {
	Key    string // as counted: "name version", "" for none sent
	Peak   int64
	Rating content.SDKRating
}

// Bad reports whether the row's release needs upgrading.
func (r sdkRow) Bad() bool {
	return r.Rating == content.SDKDeprecated || r.Rating == content.SDKUnsupported
}

// sdkUpgrade is the upgrade link for one SDK of which some connected
// release is deprecated or unsupported.
type sdkUpgrade struct {
	SDK  string
	Rule content.SDKRule
	URL  string // the changelog's upgrade notes, in the page's language
}

// sdkCensus is the census table and the upgrade links it calls for.
type sdkCensus struct {
	Rows     []sdkRow
	Upgrades []sdkUpgrade
}

// rateSDKs rates the census m (key order) by rules, lang's changelog's.
func rateSDKs(m map[string]int64, rules []content.SDKRule, lang string) sdkCensus {
	var out sdkCensus
	seen := map[string]bool{}
	for _, k := range usage.Keys(m) {
		name, version, _ := strings.Cut(k, " ")
		rating, rule := content.RateSDK(rules, name, version)
		row := sdkRow{Key: k, Peak: m[k], Rating: rating}
		out.Rows = append(out.Rows, row)
		if row.Bad() && !seen[rule.SDK] {
			seen[rule.SDK] = true
			out.Upgrades = append(out.Upgrades, sdkUpgrade{SDK: rule.SDK, Rule: *rule,
				URL: "/" + lang + "/docs/" + content.ChangelogPath + "#" + rule.Upgrade})
		}
	}
	return out
}

// sdkRules returns the SDK rules of lang's changelog.
func (s *Server) sdkRules(ctx context.Context, lang string) ([]content.SDKRule, error) {
	docs, err := s.currentDocs(ctx)
	if err != nil {
		return nil, err
	}
	return docs.site.SDKSupport(lang), nil
}
