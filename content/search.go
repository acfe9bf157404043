package content

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	_ "modernc.org/sqlite" // the index is an in-memory SQLite FTS5 table
)

// Search limits: queries longer than MaxQueryRunes are cut, and at most
// MaxQueryTerms words are used, so a hostile query cannot make the index
// scan forever.
const (
	MaxQueryRunes = 200
	MaxQueryTerms = 8
	MaxResults    = 50
)

// Doc is one searchable document: a docs page now, a forum topic later.
type Doc struct {
	Key   string // unique, e.g. "doc:en/engine/channels" or "topic:42"
	Kind  string // "doc" or "topic"
	Lang  string
	Title string
	Body  string // plain text
	URL   string
}

// Result is one search hit. Snippet is HTML: escaped text with the
// matched terms wrapped in <mark>.
type Result struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"`
	Kind    string `json:"kind"`
}

// Index is a full-text index in an in-memory SQLite database, with two
// FTS5 indexes over the same documents:
//
//   - a trigram index, which finds any substring of three or more
//     characters in any script, Chinese included, without a word segmenter;
//   - a word index (unicode61) in which runs of Chinese, Japanese or Korean
//     characters are indexed as overlapping two-character pairs. Trigrams
//     never match one- or two-character queries, and most Chinese words are
//     two characters long: "频道" is answered from this index, as are short
//     Latin prefixes such as "go" (matching the words that start with it).
//
// Both are contentless (they store no text), so matching and BM25 ranking
// never read document bodies; titles, URLs and bodies live in a plain table
// and bodies are read only for the results returned, to build snippets.
// A single CJK character is the one case left to a substring scan.
type Index struct {
	db *sql.DB
	// Statements prepared once; per language for the FTS queries, which
	// live in one table pair per language so that ranking never scores
	// documents of the other language.
	match map[string]*sql.Stmt // "tri_en", "words_zh", ...
	body  *sql.Stmt
}

// NewIndex creates an empty index.
func NewIndex(ctx context.Context) (*Index, error) {
	var nonce [8]byte
	rand.Read(nonce[:])
	d, err := sql.Open("sqlite", "file:search-"+hex.EncodeToString(nonce[:])+"?mode=memory&cache=shared")
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	// One connection: an in-memory database lives as long as a connection
	// holds it, and queries take tens of microseconds.
	d.SetMaxOpenConns(1)
	d.SetMaxIdleConns(1)
	d.SetConnMaxLifetime(0)
	d.SetConnMaxIdleTime(0)
	stmts := []string{`CREATE TABLE docs (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
			lang TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL)`}
	for _, lang := range Languages {
		stmts = append(stmts,
			`CREATE VIRTUAL TABLE tri_`+lang+` USING fts5(title, body, content='', contentless_delete=1, tokenize='trigram')`,
			`CREATE VIRTUAL TABLE words_`+lang+` USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`)
	}
	for _, stmt := range stmts {
		if _, err := d.ExecContext(ctx, stmt); err != nil {
			d.Close()
			return nil, fmt.Errorf("search index: create: %w", err)
		}
	}
	ix := &Index{db: d, match: map[string]*sql.Stmt{}}
	for _, lang := range Languages {
		for _, table := range []string{"tri_" + lang, "words_" + lang} {
			st, err := d.PrepareContext(ctx, `SELECT d.rowid, d.title, d.kind, d.url, bm25(`+table+`, 10.0, 1.0)
				FROM `+table+` JOIN docs d ON d.rowid = `+table+`.rowid WHERE `+table+` MATCH ?`)
			if err != nil {
				d.Close()
				return nil, fmt.Errorf("search index: prepare: %w", err)
			}
			ix.match[table] = st
		}
	}
	if ix.body, err = d.PrepareContext(ctx, `SELECT body FROM docs WHERE rowid = ?`); err != nil {
		d.Close()
		return nil, fmt.Errorf("search index: prepare: %w", err)
	}
	return ix, nil
}

// langOK reports whether lang has index tables.
func langOK(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// IndexSite adds every page of site, in every language.
func (ix *Index) IndexSite(ctx context.Context, site *Site) error {
	var docs []Doc
	for _, lang := range Languages {
		for _, p := range site.Pages(lang) {
			docs = append(docs, Doc{Key: "doc:" + lang + "/" + p.Path, Kind: "doc", Lang: lang, Title: p.Title, Body: p.Text, URL: p.URL()})
		}
	}
	return ix.Upsert(ctx, docs...)
}

// Upsert adds docs, replacing any with the same Key.
func (ix *Index) Upsert(ctx context.Context, docs ...Doc) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search upsert: %w", err)
	}
	defer tx.Rollback()
	for _, d := range docs {
		if err := deleteKey(ctx, tx, d.Key); err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO docs (key, kind, lang, title, url, body) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Key, d.Kind, d.Lang, d.Title, d.URL, d.Body)
		if err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		rid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		if !langOK(d.Lang) {
			return fmt.Errorf("search upsert %s: unknown language %q", d.Key, d.Lang)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tri_`+d.Lang+` (rowid, title, body) VALUES (?, ?, ?)`, rid, d.Title, d.Body); err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO words_`+d.Lang+` (rowid, title, body) VALUES (?, ?, ?)`, rid, bigrams(d.Title), bigrams(d.Body)); err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
	}
	return tx.Commit()
}

// Delete removes the doc with key.
func (ix *Index) Delete(ctx context.Context, key string) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search delete %s: %w", key, err)
	}
	defer tx.Rollback()
	if err := deleteKey(ctx, tx, key); err != nil {
		return fmt.Errorf("search delete %s: %w", key, err)
	}
	return tx.Commit()
}

func deleteKey(ctx context.Context, tx *sql.Tx, key string) error {
	var rid int64
	var lang string
	err := tx.QueryRowContext(ctx, `DELETE FROM docs WHERE key = ? RETURNING rowid, lang`, key).Scan(&rid, &lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `DELETE FROM tri_`+lang+` WHERE rowid = ?`, rid); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM words_`+lang+` WHERE rowid = ?`, rid)
	return err
}

// Close releases the index.
func (ix *Index) Close() error { return ix.db.Close() }

// Terms splits a query into at most MaxQueryTerms distinct words.
func Terms(q string) []string {
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		q = string([]rune(q)[:MaxQueryRunes])
	}
	var out []string
	seen := map[string]bool{}
	// Control characters separate words like spaces: a NUL inside an FTS5
	// string would end it early and make the query a syntax error.
	for _, f := range strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		f = strings.ToLower(strings.Trim(f, `"'`))
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
		if len(out) == MaxQueryTerms {
			break
		}
	}
	return out
}

// Search returns up to limit documents in lang that contain every word of
// q: title matches first, then by BM25 relevance.
func (ix *Index) Search(ctx context.Context, lang, q string, limit int) ([]Result, error) {
	terms := Terms(q)
	if len(terms) == 0 || !langOK(lang) {
		return []Result{}, nil
	}
	if limit <= 0 || limit > MaxResults {
		limit = MaxResults
	}
	table, match, scan := "tri_"+lang, "", false
	short := false
	for _, t := range terms {
		if utf8.RuneCountInString(t) < 3 {
			short = true
		}
	}
	if short {
		table = "words_" + lang
		var ok bool
		if match, ok = wordsQuery(terms); !ok {
			scan = true
		}
	} else {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		match = strings.Join(parts, " AND ")
	}
	// One read transaction: the bodies fetched below belong to the same
	// snapshot as the hits, even while the forum upserts or deletes topics.
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	defer tx.Rollback()
	var rows *sql.Rows
	if scan {
		// A single CJK character: no index can answer it; scan titles and
		// bodies. Ranked by occurrences below.
		where := make([]string, len(terms))
		args := []any{lang}
		for i, t := range terms {
			where[i] = `(title LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`
			pat := "%" + escapeLike(t) + "%"
			args = append(args, pat, pat)
		}
		rows, err = tx.QueryContext(ctx, `SELECT rowid, title, kind, url, 0.0 FROM docs WHERE lang = ? AND `+strings.Join(where, " AND "), args...)
	} else {
		rows, err = tx.StmtContext(ctx, ix.match[table]).QueryContext(ctx, match)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	defer rows.Close()
	type hit struct {
		Result
		rid      int64
		titleHit bool
		score    float64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.rid, &h.Title, &h.Kind, &h.URL, &h.score); err != nil {
			return nil, fmt.Errorf("search %q: %w", q, err)
		}
		lt := strings.ToLower(h.Title)
		h.titleHit = true
		for _, t := range terms {
			if !strings.Contains(lt, t) {
				h.titleHit = false
			}
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	rows.Close()
	bodyStmt := tx.StmtContext(ctx, ix.body)
	bodyOf := func(rid int64) (string, error) {
		var body string
		err := bodyStmt.QueryRowContext(ctx, rid).Scan(&body)
		return body, err
	}
	if scan {
		// Rank by how often the terms occur, like a crude BM25.
		for i := range hits {
			body, err := bodyOf(hits[i].rid)
			if err != nil {
				return nil, fmt.Errorf("search %q: %w", q, err)
			}
			lb := asciiLower(body)
			for _, t := range terms {
				hits[i].score -= float64(strings.Count(lb, t)) / (1 + float64(len(lb))/2000)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].titleHit != hits[j].titleHit {
			return hits[i].titleHit
		}
		return hits[i].score < hits[j].score // bm25: lower is better
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	// Snippets only for what is returned: a common word can match
	// thousands of forum topics.
	out := make([]Result, len(hits))
	for i, h := range hits {
		body, err := bodyOf(h.rid)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q, err)
		}
		out[i] = h.Result
		out[i].Snippet = Snippet(body, terms)
	}
	return out, nil
}

// isCJK reports whether r is written without spaces between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// bigrams rewrites text for the word index: every run of CJK characters
// becomes its overlapping two-character pairs ("在线状态" → "在线 线状 状态"),
// other text is kept as it is. A one-character run is kept as one token.
func bigrams(text string) string {
	var b strings.Builder
	b.Grow(len(text) * 2)
	var run []rune
	flush := func() {
		switch {
		case len(run) == 1:
			b.WriteString(" " + string(run) + " ")
		case len(run) > 1:
			b.WriteByte(' ')
			for i := 0; i+1 < len(run); i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(string(run[i : i+2]))
			}
			b.WriteByte(' ')
		}
		run = run[:0]
	}
	for _, r := range text {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// wordsQuery builds the word-index query for terms: each term becomes a
// phrase of its tokens, so a Chinese word matches its consecutive pairs.
// It reports false when a term cannot be answered from the index (a lone
// CJK character, which only ever appears inside pairs).
func wordsQuery(terms []string) (string, bool) {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		rs := []rune(t)
		if len(rs) == 1 && isCJK(rs[0]) {
			return "", false
		}
		var toks []string
		for _, f := range strings.FieldsFunc(bigrams(t), func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
		}) {
			toks = append(toks, strings.ReplaceAll(f, `"`, `""`))
		}
		if len(toks) == 0 {
			return "", false
		}
		phrase := `"` + strings.Join(toks, " ") + `"`
		if last := []rune(toks[len(toks)-1]); !isCJK(last[len(last)-1]) {
			phrase += "*" // Latin words match as prefixes, for search as you type
		}
		parts = append(parts, phrase)
	}
	return strings.Join(parts, " AND "), true
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Snippet returns about 160 characters of body around the first match of
// any term, HTML-escaped, with every term occurrence wrapped in <mark>.
func Snippet(body string, terms []string) string {
	const before, total = 60, 160
	// Work on a window around the first match only: bodies can be long
	// (a whole docs page), and the snippet needs a few hundred bytes.
	cutHead, cutTail := false, false
	if len(body) > 2048 {
		lower := asciiLower(body)
		first := -1
		for _, t := range terms {
			if i := strings.Index(lower, t); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		ws, we := 0, len(body)
		if first > 4*before {
			ws = first - 4*before
		}
		if we > ws+8*total {
			we = ws + 8*total
		}
		for ws > 0 && !utf8.RuneStart(body[ws]) {
			ws--
		}
		for we < len(body) && !utf8.RuneStart(body[we]) {
			we++
		}
		cutHead, cutTail = ws > 0, we < len(body)
		body = body[ws:we]
	}
	text := []rune(strings.Join(strings.Fields(body), " "))
	rterms := make([][]rune, len(terms))
	for i, t := range terms {
		rterms[i] = []rune(t)
	}
	first := -1
	for _, rt := range rterms {
		if i := foldIndex(text, rt); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	start := 0
	if first > before {
		start = first - before
	}
	end := min(start+total, len(text))
	var b strings.Builder
	if start > 0 || cutHead {
		b.WriteString("…")
	}
	for i := start; i < end; {
		matched := 0
		for _, rt := range rterms {
			if len(rt) > matched && foldHasPrefix(text[i:], rt) {
				matched = len(rt)
			}
		}
		if matched > 0 {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(string(text[i : i+matched])))
			b.WriteString("</mark>")
			i += matched
			continue
		}
		b.WriteString(html.EscapeString(string(text[i])))
		i++
	}
	if end < len(text) || cutTail {
		b.WriteString("…")
	}
	return b.String()
}

// foldIndex is the index of the first rune of s where lower-case sub
// starts, comparing s lower-cased.
func foldIndex(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if foldHasPrefix(s[i:], sub) {
			return i
		}
	}
	return -1
}

func foldHasPrefix(s, prefix []rune) bool {
	if len(prefix) == 0 || len(s) < len(prefix) {
		return false
	}
	for i, r := range prefix {
		if foldRune(s[i]) != r {
			return false
		}
	}
	return true
}

// foldRune lower-cases r as strings.ToLower does, skipping the case tables
// for the scripts without case that most Chinese text is made of: the
// look-up was a quarter of the time of a Chinese search.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case 0x2E80 <= r && r <= 0xA4CF, 0xAC00 <= r && r <= 0xD7A3: // CJK, kana, Yi, Hangul
		return r
	}
	return unicode.ToLower(r)
}

// asciiLower lower-cases ASCII letters only, as SQLite's LIKE compares,
// and does not copy s when there is nothing to change.
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
