package search

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// The tables are read-only once loaded, and shared by every index.
var (
	//go:embed data/TSCharacters.txt
	tsCharacters string
	//go:embed data/zh_words.txt
	zhWords string
	//go:embed data/synonyms.txt
	synonymsText string
	//go:embed data/zh_pinyin.txt
	zhPinyin string

	tables = sync.OnceValue(loadTables)
)

// maxWordRunes bounds the Chinese words the segmenter looks up.
const maxWordRunes = 6

type tableSet struct {
	ts       map[rune]rune       // Traditional → Simplified, from OpenCC
	words    map[string]bool     // Chinese dictionary, for segmentation
	synonyms map[string][]string // normalized word or phrase → its group, itself first
	// phrases holds the synonyms of two or more Latin words, by first word.
	phrases map[string][][]string
	pinyin  map[rune]string // toneless reading of a Chinese character
}

func loadTables() *tableSet {
	t := &tableSet{ts: map[rune]rune{}, words: map[string]bool{}, synonyms: map[string][]string{}, phrases: map[string][][]string{},
		pinyin: map[rune]string{}}
	for line := range strings.SplitSeq(zhPinyin, "\n") {
		if c, py, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			r, _ := utf8.DecodeRuneInString(c)
			t.pinyin[r] = py
		}
	}
	for line := range strings.SplitSeq(tsCharacters, "\n") {
		from, to, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		f, _ := utf8.DecodeRuneInString(from)
		// The first Simplified form is the usual one ("乾 → 干 乾").
		s, _ := utf8.DecodeRuneInString(to)
		if utf8.RuneCountInString(from) == 1 && f != s {
			t.ts[f] = s
		}
	}
	for line := range strings.SplitSeq(zhWords, "\n") {
		if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
			t.words[foldWith(w, t.ts)] = true
		}
	}
	for _, g := range parseSynonyms(synonymsText, t.ts) {
		for _, w := range g {
			if hasCJK(w) {
				t.words[w] = true
			}
			group := append([]string{w}, without(t.synonyms[w], w)...)
			for _, o := range g {
				if o != w && !contains(group, o) {
					group = append(group, o)
				}
			}
			t.synonyms[w] = group
			if ws := strings.Fields(w); len(ws) > 1 && !hasCJK(w) {
				t.phrases[ws[0]] = append(t.phrases[ws[0]], ws)
			}
		}
	}
	return t
}

// parseSynonyms reads the synonyms file: one group per line, words
// separated by commas, # starts a comment. Words are normalized.
func parseSynonyms(text string, ts map[rune]rune) [][]string {
	var out [][]string
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		var g []string
		for w := range strings.SplitSeq(line, ",") {
			// Words as the parser sees them: "keep-alive" is "keep alive".
			var words []string
			for _, sp := range spans(foldWith(w, ts)) {
				words = append(words, sp.text)
			}
			if w = strings.Join(words, " "); w != "" && !contains(g, w) {
				g = append(g, w)
			}
		}
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// fold normalizes text for matching: compatibility forms (full-width
// letters, ligatures) to their plain forms, lower case, and Traditional
// Chinese characters to Simplified ones. It keeps the number of runes of
// text unless NFKC expands a compatibility character.
func fold(s string) string { return foldWith(s, tables().ts) }

func foldWith(s string, ts map[rune]rune) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r, ts))
	}
	return b.String()
}

func foldRune(r rune, ts map[rune]rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case isCJK(r):
		if s, ok := ts[r]; ok {
			return s
		}
		return r
	}
	return unicode.ToLower(r)
}

// isCJK reports whether r is written without spaces between words.
func isCJK(r rune) bool {
	if 0x4E00 <= r && r <= 0x9FFF { // the common Han block, first
		return true
	}
	return r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

// isWordRune reports whether r belongs to a Latin-script word (letters,
// digits and combining marks of the scripts written with spaces).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

// span is one word of a text: a Latin word, or a run of CJK characters.
type span struct {
	text       string // folded
	start, end int    // byte offsets in the folded text
	cjk        bool
}

// spans splits folded text into words and CJK runs.
func spans(s string) []span {
	var out []span
	start, cjk := -1, false
	for i, r := range s {
		c, w := isCJK(r), isWordRune(r)
		if start >= 0 && (!(c || w) || c != cjk) {
			out = append(out, span{s[start:i], start, i, cjk})
			start = -1
		}
		if start < 0 && (c || w) {
			start, cjk = i, c
		}
	}
	if start >= 0 {
		out = append(out, span{s[start:], start, len(s), cjk})
	}
	return out
}

// maxTokenRunes skips words no one types (base64, hashes).
const maxTokenRunes = 40

// stem is the index form of a folded Latin word.
func stem(w string) string {
	if len(w) < 3 || !isASCIILetters(w) {
		return w
	}
	st := english.Stem(w, false)
	// Snowball keeps the plural of a word without vowels ("sdks",
	// "jwts"); acronyms are common in developer docs.
	if st == w && len(w) >= 4 && w[len(w)-1] == 's' && w[len(w)-2] != 's' && !strings.ContainsAny(w[:len(w)-1], "aeiouy") {
		return w[:len(w)-1]
	}
	return st
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// cjkTokens is a CJK run as index tokens: its overlapping pairs, then its
// last character alone, so that a one-character query (a prefix match)
// finds every character of the run.
func cjkTokens(run string, out []string) []string {
	rs := []rune(run)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return append(out, string(rs[len(rs)-1]))
}

// analyze turns text into the space-separated tokens of the index.
func analyze(text string) string {
	var toks []string
	for _, sp := range spans(fold(text)) {
		switch {
		case sp.cjk:
			toks = cjkTokens(sp.text, toks)
		case utf8.RuneCountInString(sp.text) <= maxTokenRunes:
			toks = append(toks, stem(sp.text))
		}
	}
	return strings.Join(toks, " ")
}

// tokenSet is the set of index tokens of text, for checking which query
// words a title or heading contains.
func tokenSet(text string) map[string]bool {
	set := map[string]bool{}
	for t := range strings.FieldsSeq(analyze(text)) {
		set[t] = true
	}
	return set
}

// segment splits a folded CJK run into dictionary words, longest match
// first. Characters outside the dictionary stay together as one piece,
// except stop characters, which stand alone.
func segment(run string) []string {
	words := tables().words
	rs := []rune(run)
	var out []string
	var unknown []rune
	flush := func() {
		if len(unknown) > 0 {
			out = append(out, string(unknown))
			unknown = unknown[:0]
		}
	}
	for i := 0; i < len(rs); {
		n := 0
		for l := min(maxWordRunes, len(rs)-i); l >= 2; l-- {
			if words[string(rs[i:i+l])] {
				n = l
				break
			}
		}
		if n == 0 {
			if stopwords[string(rs[i])] {
				flush()
				out = append(out, string(rs[i]))
			} else {
				unknown = append(unknown, rs[i])
			}
			i++
			continue
		}
		flush()
		out = append(out, string(rs[i:i+n]))
		i += n
	}
	flush()
	return out
}

// stopwords are words that a query need not match: they are in nearly
// every page, or in none ("how do I ...", "如何...").
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "to": true, "of": true, "in": true, "on": true, "for": true,
	"is": true, "are": true, "how": true, "do": true, "does": true, "i": true, "my": true, "what": true,
	"why": true, "can": true, "with": true, "and": true, "or": true, "it": true, "be": true, "when": true,
	"from": true, "by": true, "me": true, "you": true, "your": true, "this": true, "that": true, "at": true,
	"should": true, "which": true, "get": true, "use": true, "using": true, "where": true, "there": true,
	"who": true, "know": true, "want": true, "need": true, "happens": true, "happen": true, "too": true,
	"any": true, "way": true, "was": true, "were": true, "will": true, "if": true, "not": true, "we": true,
	"的": true, "了": true, "是": true, "吗": true, "呢": true, "怎么": true, "如何": true, "什么": true,
	"为什么": true, "怎样": true, "我": true, "我的": true, "和": true, "与": true, "及": true, "或": true,
	"把": true, "被": true, "对": true, "用": true, "使用": true, "一个": true, "可以": true, "能": true,
	"要": true, "需要": true, "时": true, "在": true, "哪里": true, "哪些": true, "怎么办": true, "有": true,
	"会": true, "不": true, "吧": true, "啊": true, "个": true, "中": true, "里": true, "请问": true,
	"后": true, "前": true, "上": true, "下": true, "到": true, "从": true, "向": true, "给": true, "让": true,
	"将": true, "就": true, "也": true, "都": true, "还": true, "又": true, "再": true, "才": true, "很": true,
	"知道": true, "想": true, "谁": true, "哪个": true, "为何": true, "是否": true, "可不可以": true, "能否": true,
	"更": true, "最": true, "得": true, "地": true, "着": true, "过": true, "这": true, "那": true, "该": true,
}

// SynonymGroups returns the synonyms table, normalized: one slice per
// line of data/synonyms.txt.
func SynonymGroups() [][]string {
	return parseSynonyms(synonymsText, tables().ts)
}

// pinyinTokens is the pinyin of the Chinese words of text, as index
// tokens: each dictionary word's syllables run together ("pindao"), and
// the whole run too when it has several words ("zaixianzhuangtai"). A word
// with a character the table lacks has no pinyin.
func pinyinTokens(text string) string {
	py := tables().pinyin
	var toks []string
	spell := func(w string) string {
		var b strings.Builder
		for _, r := range w {
			p, ok := py[r]
			if !ok {
				return ""
			}
			b.WriteString(p)
		}
		return b.String()
	}
	for _, sp := range spans(fold(text)) {
		if !sp.cjk {
			continue
		}
		words := segment(sp.text)
		for _, w := range words {
			if p := spell(w); p != "" && utf8.RuneCountInString(w) > 1 {
				toks = append(toks, stem(p))
			}
		}
		if len(words) > 1 {
			if p := spell(sp.text); p != "" && len(p) <= 4*maxTokenRunes {
				toks = append(toks, stem(p))
			}
		}
	}
	return strings.Join(toks, " ")
}
