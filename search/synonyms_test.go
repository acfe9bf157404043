package search_test

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/switchboard-rtm/switchboard/search"
)

// Every word of the synonyms table finds a docs page in its language,
// and every group has at least one word the docs use as it is (without
// synonyms), so that no group points at nothing.
func TestSynonymsFindSomething(t *testing.T) {
	ctx := context.Background()
	ix := siteIndex(t)
	groups := search.SynonymGroups()
	if len(groups) < 10 {
		t.Fatalf("%d synonym groups, want the table", len(groups))
	}
	for _, g := range groups {
		anchored := false
		for _, w := range g {
			lang := "en"
			if strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
				lang = "zh"
			}
			res, err := ix.Search(ctx, search.Request{Text: w + " ", Lang: lang, Kind: search.KindDoc})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Errorf("synonym %q (group %q) finds no %s docs page", w, g, lang)
			}
			if res.Partial {
				t.Errorf("synonym %q finds only pages with some of its words", w)
			}
			if n, err := search.CountLiteral(ctx, ix, lang, w); err != nil {
				t.Fatal(err)
			} else if n > 0 {
				anchored = true
			}
		}
		if !anchored {
			t.Errorf("group %q: no word of it is in the docs", g)
		}
	}
}
