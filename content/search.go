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

// Index is a full-text index in an in-memory SQLite database using FTS5's
// trigram tokenizer, which handles Chinese without a word segmenter. Trigrams
// never match queries of one or two characters (and most Chinese words are
// two characters long), so those fall back to a substring scan.
type Index struct {
	db *sql.DB
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
	if _, err := d.ExecContext(ctx, `CREATE VIRTUAL TABLE docs USING fts5(
		title, body, key UNINDEXED, kind UNINDEXED, lang UNINDEXED, url UNINDEXED,
		tokenize = 'trigram')`); err != nil {
		d.Close()
		return nil, fmt.Errorf("search index: create: %w", err)
	}
	// FTS5 cannot index the key column, so finding a doc by key would scan
	// the whole table: Upsert of n docs into an index of m was O(n·m).
	if _, err := d.ExecContext(ctx, `CREATE TABLE doc_keys (key TEXT PRIMARY KEY, rid INTEGER NOT NULL)`); err != nil {
		d.Close()
		return nil, fmt.Errorf("search index: create: %w", err)
	}
	return &Index{db: d}, nil
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
		res, err := tx.ExecContext(ctx, `INSERT INTO docs (title, body, key, kind, lang, url) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Title, d.Body, d.Key, d.Kind, d.Lang, d.URL)
		if err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		rid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("search upsert %s: %w", d.Key, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO doc_keys (key, rid) VALUES (?, ?)`, d.Key, rid); err != nil {
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
	err := tx.QueryRowContext(ctx, `DELETE FROM doc_keys WHERE key = ? RETURNING rid`, key).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM docs WHERE rowid = ?`, rid)
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
	if len(terms) == 0 {
		return []Result{}, nil
	}
	if limit <= 0 || limit > MaxResults {
		limit = MaxResults
	}
	short := false
	for _, t := range terms {
		if utf8.RuneCountInString(t) < 3 {
			short = true
		}
	}
	// One read transaction: the bodies fetched below belong to the same
	// snapshot as the hits, even while the forum upserts or deletes topics.
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	defer tx.Rollback()
	var rows *sql.Rows
	if short {
		// Substring scan: trigrams cannot match 1-2 character terms.
		where := make([]string, len(terms))
		args := []any{lang}
		for i, t := range terms {
			where[i] = `(title LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`
			pat := "%" + escapeLike(t) + "%"
			args = append(args, pat, pat)
		}
		rows, err = tx.QueryContext(ctx, `SELECT rowid, title, body, kind, url, 0.0 FROM docs WHERE lang = ? AND `+strings.Join(where, " AND "), args...)
	} else {
		match := make([]string, len(terms))
		for i, t := range terms {
			match[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		// The body is read later, only for the hits returned.
		rows, err = tx.QueryContext(ctx, `SELECT rowid, title, '', kind, url, bm25(docs, 10.0, 1.0) FROM docs WHERE docs MATCH ? AND lang = ?`,
			strings.Join(match, " AND "), lang)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	defer rows.Close()
	type hit struct {
		Result
		rid      int64
		body     string
		titleHit bool
		score    float64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.rid, &h.Title, &h.body, &h.Kind, &h.URL, &h.score); err != nil {
			return nil, fmt.Errorf("search %q: %w", q, err)
		}
		lt := strings.ToLower(h.Title)
		h.titleHit = true
		for _, t := range terms {
			if !strings.Contains(lt, t) {
				h.titleHit = false
			}
		}
		if short {
			// Rank by how often the terms occur, like a crude BM25.
			lb := asciiLower(h.body)
			for _, t := range terms {
				h.score -= float64(strings.Count(lb, t)) / (1 + float64(len(lb))/2000)
			}
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	rows.Close()
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
		if !short {
			if err := tx.QueryRowContext(ctx, `SELECT body FROM docs WHERE rowid = ?`, h.rid).Scan(&h.body); err != nil {
				return nil, fmt.Errorf("search %q: %w", q, err)
			}
		}
		out[i] = h.Result
		out[i].Snippet = Snippet(h.body, terms)
	}
	return out, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Snippet returns about 160 characters of body around the first match of
// any term, HTML-escaped, with every term occurrence wrapped in <mark>.
func Snippet(body string, terms []string) string {
	const before, total = 60, 160
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
	if start > 0 {
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
	if end < len(text) {
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
