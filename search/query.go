package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is a parsed search: every required group must match (all-terms),
// or, in the fallback, any of them.
type Query struct {
	Groups []Group
}

// Group is one word of a query (or a Chinese segment, or a phrase that has
// synonyms) with the alternatives that may match it.
type Group struct {
	Word     string // as typed, folded
	Alts     []Alt  // the word itself first, then its synonyms
	Latin    bool
	Optional bool // a stopword: not required to match
}

// Alt is one way a group can match: a phrase of index tokens.
type Alt struct {
	Text   string   // folded surface form, for snippets
	Tokens []string // index tokens, in order
	Prefix bool     // the last token may be a prefix (search as you type)
}

// Parse reads a query as people type it: FTS5 syntax, quotes and
// punctuation are plain separators. A Latin word that ends the text (no
// space after it) also matches as a prefix, for search as you type.
func Parse(text string) Query {
	text = strings.ToValidUTF8(text, " ")
	if utf8.RuneCountInString(text) > MaxQueryRunes {
		text = string([]rune(text)[:MaxQueryRunes])
	}
	open := text != "" && !unicode.IsSpace([]rune(text)[utf8.RuneCountInString(text)-1])
	f := fold(text)
	sps := spans(f)
	t := tables()
	var q Query
	seen := map[string]bool{}
	add := func(g Group) {
		if len(q.Groups) < MaxQueryTerms && !seen[g.Word] {
			seen[g.Word] = true
			q.Groups = append(q.Groups, g)
		}
	}
	for i := 0; i < len(sps); i++ {
		sp := sps[i]
		if sp.cjk {
			if _, ok := t.synonyms[sp.text]; ok {
				add(cjkGroup(sp.text))
				continue
			}
			for _, w := range segment(sp.text) {
				add(cjkGroup(w))
			}
			continue
		}
		if utf8.RuneCountInString(sp.text) > maxTokenRunes {
			continue
		}
		// A phrase with synonyms ("rate limit") is one group.
		if n := phraseAt(sps, i, t.phrases[sp.text]); n > 1 {
			words := make([]string, n)
			for k := range n {
				words[k] = sps[i+k].text
			}
			add(latinGroup(strings.Join(words, " "), false))
			i += n - 1
			continue
		}
		add(latinGroup(sp.text, open && i == len(sps)-1 && sp.end == len(f)))
	}
	required := 0
	for _, g := range q.Groups {
		if !g.Optional {
			required++
		}
	}
	if required == 0 { // "how to": every word counts
		for i := range q.Groups {
			q.Groups[i].Optional = false
		}
	}
	return q
}

// phraseAt is the length of the longest phrase of candidates that the
// Latin words at sps[i:] spell, or 0.
func phraseAt(sps []span, i int, candidates [][]string) int {
	best := 0
	for _, c := range candidates {
		if i+len(c) > len(sps) || len(c) <= best {
			continue
		}
		ok := true
		for k, w := range c {
			if sps[i+k].cjk || sps[i+k].text != w {
				ok = false
				break
			}
		}
		if ok {
			best = len(c)
		}
	}
	return best
}

func latinGroup(word string, prefix bool) Group {
	g := Group{Word: word, Latin: true, Optional: stopwords[word]}
	for _, w := range synonymsOf(word) {
		g.Alts = append(g.Alts, alt(w, prefix && w == word && len(word) >= 2))
	}
	return g
}

func cjkGroup(word string) Group {
	g := Group{Word: word, Optional: stopwords[word]}
	for _, w := range synonymsOf(word) {
		g.Alts = append(g.Alts, alt(w, false))
	}
	return g
}

func synonymsOf(word string) []string {
	if s, ok := tables().synonyms[word]; ok {
		return s
	}
	return []string{word}
}

// alt is the index form of a folded word or phrase.
func alt(w string, prefix bool) Alt {
	a := Alt{Text: w, Prefix: prefix}
	for _, sp := range spans(w) {
		if !sp.cjk {
			a.Tokens = append(a.Tokens, stem(sp.text))
			continue
		}
		rs := []rune(sp.text)
		if len(rs) == 1 {
			// One character: the start of a pair, or a run's last one.
			a.Tokens = append(a.Tokens, sp.text)
			a.Prefix = true
			continue
		}
		for i := 0; i+1 < len(rs); i++ {
			a.Tokens = append(a.Tokens, string(rs[i:i+2]))
		}
	}
	return a
}

// required is the groups the all-terms search must match.
func (q Query) required() []Group {
	var out []Group
	for _, g := range q.Groups {
		if !g.Optional {
			out = append(out, g)
		}
	}
	return out
}

// ftsString quotes s as an FTS5 string: no user input is ever read as
// FTS5 syntax.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// match is the FTS5 expression of groups: each group is the OR of its
// alternatives, joined by op ("AND" or "OR"). It is "" when there is
// nothing to match.
func match(groups []Group, op string) string {
	var parts []string
	for _, g := range groups {
		var alts []string
		for _, a := range g.Alts {
			if len(a.Tokens) == 0 {
				continue
			}
			quoted := make([]string, len(a.Tokens))
			for i, t := range a.Tokens {
				quoted[i] = ftsString(t)
			}
			p := strings.Join(quoted, " + ")
			if a.Prefix {
				p += " *"
			}
			alts = append(alts, p)
		}
		if len(alts) > 0 {
			parts = append(parts, "("+strings.Join(alts, " OR ")+")")
		}
	}
	return strings.Join(parts, " "+op+" ")
}
