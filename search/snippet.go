package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippet sizes, in characters.
const (
	snippetBefore = 50
	snippetTotal  = 160
	snippetSlack  = 24 // how far a cut may move to reach a word boundary
	maxMarks      = 200
)

// interval is a match in a snippet's text, in runes.
type interval struct{ start, end, group int }

// Snippet returns about 160 characters of body around the part that
// matches most of q's words, HTML-escaped, with the matches wrapped in
// <mark>. It never cuts a Latin word or a Chinese dictionary word in half:
// the window's ends move to word boundaries.
func Snippet(body string, q Query) string {
	// Work on a window around the first likely match only: a docs page
	// is tens of kilobytes, and the snippet needs a few hundred bytes.
	cutHead, cutTail := false, false
	if len(body) > snippetWindow {
		ws := max(0, firstLikely(body, q)-snippetWindow/6)
		we := min(len(body), ws+snippetWindow)
		if ws > 0 { // start after a space, so that no word is cut
			if k := strings.IndexAny(body[ws:we], " \n\t"); k >= 0 {
				ws += k + 1
			}
		}
		if we < len(body) {
			if k := strings.LastIndexAny(body[ws:we], " \n\t"); k >= 0 {
				we = ws + k
			}
		}
		for ws < we && !utf8.RuneStart(body[ws]) {
			ws++
		}
		for we > ws && we < len(body) && !utf8.RuneStart(body[we]) {
			we--
		}
		cutHead, cutTail = ws > 0, we < len(body)
		body = body[ws:we]
	}
	text := []rune(strings.Join(strings.Fields(body), " "))
	ts := tables().ts
	folded := make([]rune, len(text))
	for i, r := range text {
		folded[i] = foldRune(r, ts)
	}
	marks := findMatches(folded, q)
	first := 0
	if len(marks) > 0 {
		first = bestWindow(marks)
	}
	start := 0
	if first > snippetBefore {
		start = snapStart(text, first-snippetBefore)
	}
	end := len(text)
	if start+snippetTotal < len(text) {
		end = snapEnd(text, start+snippetTotal)
	}
	var b strings.Builder
	if start > 0 || cutHead {
		b.WriteString("…")
	}
	i := start
	for _, m := range marks {
		if m.end <= i || m.start < i {
			continue
		}
		if m.start >= end {
			break
		}
		e := min(m.end, end)
		b.WriteString(html.EscapeString(string(text[i:m.start])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(text[m.start:e])))
		b.WriteString("</mark>")
		i = e
	}
	b.WriteString(html.EscapeString(string(text[i:end])))
	if end < len(text) || cutTail {
		b.WriteString("…")
	}
	return b.String()
}

// snippetWindow is the most of a body, in bytes, that Snippet reads.
const snippetWindow = 1536

// firstLikely is the byte offset of the first place in body where one of
// q's words may match (a Chinese word, or the first letters of a Latin
// stem, ASCII case folded), or 0.
func firstLikely(body string, q Query) int {
	lower := asciiLower(body)
	first := -1
	for _, g := range q.Groups {
		for _, a := range g.Alts {
			var needle string
			if hasCJK(a.Text) {
				needle = a.Text
			} else if len(a.Tokens) > 0 {
				needle = a.Tokens[0][:min(len(a.Tokens[0]), 4)]
			}
			if needle == "" {
				continue
			}
			if i := strings.Index(lower, needle); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
	}
	return max(first, 0)
}

// asciiLower lower-cases ASCII letters only (byte offsets stay), and does
// not copy s when there is nothing to change.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// findMatches lists, in order, where q's alternatives occur in folded
// text: Latin words whose stem matches, and Chinese words.
func findMatches(folded []rune, q Query) []interval {
	type latin struct {
		tok    string
		prefix bool
		group  int
	}
	var lat []latin
	var cjk [][]rune
	var cjkGroup []int
	for gi, g := range q.Groups {
		for _, a := range g.Alts {
			if hasCJK(a.Text) {
				for _, sp := range spans(a.Text) {
					if sp.cjk {
						cjk, cjkGroup = append(cjk, []rune(sp.text)), append(cjkGroup, gi)
					}
				}
				continue
			}
			for _, t := range a.Tokens {
				lat = append(lat, latin{t, a.Prefix, gi})
			}
		}
	}
	var out []interval
	for i := 0; i < len(folded) && len(out) < maxMarks; {
		r := folded[i]
		if isWordRune(r) && (i == 0 || !isWordRune(folded[i-1])) {
			j := i
			for j < len(folded) && isWordRune(folded[j]) {
				j++
			}
			if len(lat) > 0 {
				w := string(folded[i:j])
				var st string
				for _, l := range lat {
					if len(w) < min(3, len(l.tok)) || w[:min(3, len(l.tok))] != l.tok[:min(3, len(l.tok))] {
						continue
					}
					if st == "" {
						st = stem(w)
					}
					if st == l.tok || l.prefix && strings.HasPrefix(st, l.tok) || l.prefix && strings.HasPrefix(w, l.tok) {
						out = append(out, interval{i, j, l.group})
						break
					}
				}
			}
			i = j
			continue
		}
		if isCJK(r) {
			best, group := 0, 0
			for k, c := range cjk {
				if len(c) > best && hasRunePrefix(folded[i:], c) {
					best, group = len(c), cjkGroup[k]
				}
			}
			if best > 0 {
				out = append(out, interval{i, i + best, group})
				i += best
				continue
			}
		}
		i++
	}
	return out
}

func hasRunePrefix(s, p []rune) bool {
	if len(s) < len(p) {
		return false
	}
	for i, r := range p {
		if s[i] != r {
			return false
		}
	}
	return true
}

// bestWindow is the start of the match that begins the window holding the
// most different query words.
func bestWindow(marks []interval) int {
	best, bestN := marks[0].start, 0
	for i, m := range marks {
		seen := map[int]bool{}
		for _, n := range marks[i:] {
			if n.end-m.start > snippetTotal-snippetBefore {
				break
			}
			seen[n.group] = true
		}
		if len(seen) > bestN {
			best, bestN = m.start, len(seen)
		}
	}
	return best
}

// boundary reports whether a snippet may start or end between text[i-1]
// and text[i]: not inside a Latin word, and not inside a Chinese word.
func boundary(text []rune, i int) bool {
	if i <= 0 || i >= len(text) {
		return true
	}
	a, b := text[i-1], text[i]
	if isWordRune(a) && isWordRune(b) {
		return false
	}
	if isCJK(a) && isCJK(b) {
		return cjkBoundary(text, i)
	}
	return true
}

// cjkBoundary reports whether i falls between two words of the segmented
// CJK run around it.
func cjkBoundary(text []rune, i int) bool {
	s, e := i, i
	for s > 0 && isCJK(text[s-1]) && i-s < 2*maxWordRunes {
		s--
	}
	for e < len(text) && isCJK(text[e]) && e-i < 2*maxWordRunes {
		e++
	}
	ts := tables().ts
	run := make([]rune, e-s)
	for k := range run {
		run[k] = foldRune(text[s+k], ts)
	}
	pos := s
	for _, w := range segment(string(run)) {
		pos += len([]rune(w))
		if pos == i {
			return true
		}
		if pos > i {
			return false
		}
	}
	return false
}

func isSpaceOrPunct(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }

// snapStart moves i back (or, failing that, forward) to a boundary,
// preferring a space or punctuation nearby.
func snapStart(text []rune, i int) int {
	for k := i; k > 0 && i-k <= snippetSlack; k-- {
		if isSpaceOrPunct(text[k-1]) {
			return k
		}
	}
	for k := 0; k <= snippetSlack; k++ {
		if i-k >= 0 && boundary(text, i-k) {
			return i - k
		}
		if i+k < len(text) && boundary(text, i+k) {
			return i + k
		}
	}
	for i > 0 && !boundary(text, i) {
		i--
	}
	return i
}

// snapEnd moves i back to a boundary, preferring the end of a sentence
// part nearby.
func snapEnd(text []rune, i int) int {
	for k := i; k > i-snippetSlack && k > 0; k-- {
		if isSpaceOrPunct(text[k]) {
			return k
		}
	}
	for k := i; k > 0; k-- {
		if boundary(text, k) {
			return k
		}
	}
	return i
}
