package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	cases := []struct {
		q    string
		want []string // the words of the groups, "?" marks an optional one
	}{
		{"Presence", []string{"presence"}},
		{"  how do I reconnect  ", []string{"how?", "do?", "i?", "reconnect"}},
		{"頻道", []string{"频道"}},                        // Traditional folded
		{"断线重连", []string{"断线重连"}},                    // a synonym entry stays whole
		{"订阅频道的历史", []string{"订阅", "频道", "的?", "历史"}}, // dictionary segmentation
		{"websocket 协议", []string{"websocket", "协议"}},
		{"go语言", []string{"go", "语言"}},
		{"ＦＵＬＬ width", []string{"full", "width"}},
		{"rate limit exceeded", []string{"rate limit", "exceeded"}}, // a synonym phrase is one group
		{`"a" OR b* NEAR(c) title:x`, []string{"a?", "or?", "b", "near", "c", "title", "x"}},
		{"a a a", []string{"a"}},
		{"", nil},
	}
	for _, tc := range cases {
		var got []string
		for _, g := range Parse(tc.q).Groups {
			w := g.Word
			if g.Optional {
				w += "?"
			}
			got = append(got, w)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q): got %q, want %q", tc.q, got, tc.want)
		}
	}
	if n := len(Parse(strings.Repeat("word", 1) + strings.Repeat(" w", 50)).Groups); n > MaxQueryTerms {
		t.Errorf("%d groups, want at most %d", n, MaxQueryTerms)
	}
}

// FuzzParse is the search's one fuzz target: any text people can type
// parses into at most MaxQueryTerms groups of valid UTF-8 tokens, its FTS5
// expressions are accepted by SQLite, the search answers without error,
// and snippets carry no markup but <mark> and never split a character.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"频道", "presence", `"a" OR b*`, "NEAR(a b)", "a:b", "%_\\", "-x", "\x00", "^", "col:title",
		"tags:kdoc", "頻道 訊息", "断线重连", "rate limit", "reconnectin", "\xff\xfe", "ｆｕｌｌ", "e\u0301", "𠀾𫝈", "a\u200bb"} {
		f.Add(s)
	}
	ix := newTestIndex(f)
	f.Fuzz(func(t *testing.T, text string) {
		q := Parse(text)
		if len(q.Groups) > MaxQueryTerms {
			t.Fatalf("%d groups", len(q.Groups))
		}
		for _, g := range q.Groups {
			for _, a := range g.Alts {
				for _, tok := range a.Tokens {
					if tok == "" || !utf8.ValidString(tok) {
						t.Fatalf("token %q of %q", tok, text)
					}
				}
			}
		}
		for _, lang := range []string{"en", "zh", ""} {
			res, err := ix.Search(context.Background(), Request{Text: text, Lang: lang})
			if err != nil {
				t.Fatalf("Search(%q, %s): %v", text, lang, err)
			}
			for _, h := range res.Hits {
				rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.Snippet)
				if strings.ContainsAny(rest, "<>") || !utf8.ValidString(h.Snippet) {
					t.Fatalf("%q: snippet %q", text, h.Snippet)
				}
			}
		}
	})
}
