package forum

import (
	"context"
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search limits.
const (
	SearchMaxLen   = 200 // characters in a query
	SearchMaxTerms = 8
)

// SearchQuery is a forum search. Terms are separated by spaces and must all
// match (in the title or any visible post).
type SearchQuery struct {
	Text       string
	Lang       string // en, zh or "" for both
	CategoryID int64
	Page       int // 1-based
	PerPage    int // default 20, at most 50
}

// SearchHit is one matching topic.
type SearchHit struct {
	Topic *Topic
	// SnippetHTML is an HTML-escaped excerpt with the matches wrapped in
	// <mark>; safe to insert into a page as is.
	SnippetHTML string
	// Rank orders hits, higher is better. For full-text matches it is the
	// negated BM25 score (title weighted 5×); for short queries it counts
	// matches (a title match counts 10).
	Rank float64
}

// SearchResults is one page of hits.
type SearchResults struct {
	Hits    []*SearchHit
	Total   int
	Page    int
	PerPage int
	// Substring is true when a term was shorter than three characters and
	// the search fell back to substring matching, which the trigram index
	// cannot serve.
	Substring bool
}

// searchTerms splits a query into at most SearchMaxTerms distinct terms,
// trimming punctuation around each.
func searchTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	// Control characters (NUL ends a string inside SQLite's FTS5 parser)
	// separate terms like spaces do.
	for _, f := range strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		f = strings.TrimFunc(f, func(r rune) bool { return unicode.IsPunct(r) && r != '#' && r != '+' && r != '@' })
		f = strings.ToLower(f)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
		if len(out) == SearchMaxTerms {
			break
		}
	}
	return out
}

// ftsQuery quotes each term as an FTS5 string, so that no user input is
// read as FTS5 syntax (AND, NEAR, column filters, '*').
func ftsQuery(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, " ")
}

// Search finds visible topics. Terms of three or more characters use the
// FTS5 trigram index, ranked by BM25; if any term is shorter (most Chinese
// words are two characters, which trigrams never match) the whole query
// falls back to substring matching. It returns an ErrInvalid error for an
// empty or overlong query.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResults, error) {
	text := strings.TrimSpace(q.Text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > SearchMaxLen {
		return nil, invalid("q", "forum.error.search_too_long", map[string]any{"Max": SearchMaxLen, "Count": SearchMaxLen})
	}
	terms := searchTerms(text)
	if len(terms) == 0 {
		return nil, invalid("q", "forum.error.search_empty", nil)
	}
	if q.Lang != "" && !validLang(q.Lang) {
		return nil, invalid("lang", "forum.error.lang_invalid", nil)
	}
	page, per := pageBounds(q.Page, q.PerPage, 20, 50)
	res := &SearchResults{Page: page, PerPage: per}
	for _, t := range terms {
		if utf8.RuneCountInString(t) < 3 {
			res.Substring = true
		}
	}

	where := []string{"t.deleted_at IS NULL", "t.hidden = 0"}
	var args []any
	if res.Substring {
		for _, t := range terms {
			p := "%" + likeEscape(t) + "%"
			where = append(where, `(f.title LIKE ? ESCAPE '\' OR f.body LIKE ? ESCAPE '\')`)
			args = append(args, p, p)
		}
	} else {
		where = append(where, "forum_search MATCH ?")
		args = append(args, ftsQuery(terms))
	}
	if q.Lang != "" {
		where, args = append(where, "t.lang = ?"), append(args, q.Lang)
	}
	if q.CategoryID != 0 {
		where, args = append(where, "t.category_id = ?"), append(args, q.CategoryID)
	}
	w := strings.Join(where, " AND ")

	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_search f JOIN forum_topics t ON t.id = f.rowid WHERE `+w, args...).Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var query string
	var rankArgs []any
	if res.Substring {
		var parts []string
		for _, t := range terms {
			parts = append(parts, `(instr(lower(f.title), ?) > 0) * 10.0 + (length(f.body) - length(replace(lower(f.body), ?, ''))) * 1.0 / ?`)
			rankArgs = append(rankArgs, t, t, utf8.RuneCountInString(t))
		}
		query = `SELECT f.rowid, ` + strings.Join(parts, " + ") + ` AS r, f.body`
	} else {
		query = `SELECT f.rowid, -bm25(forum_search, 5.0, 1.0) AS r, snippet(forum_search, -1, char(2), char(3), '…', 32)`
	}
	query += ` FROM forum_search f JOIN forum_topics t ON t.id = f.rowid WHERE ` + w + ` ORDER BY r DESC, t.bumped_at DESC LIMIT ? OFFSET ?`
	all := append(append(rankArgs, args...), per, (page-1)*per)
	rows, err := tx.QueryContext(ctx, query, all...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	type hit struct {
		id   int64
		rank float64
		text string
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.rank, &h.text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for _, h := range hits {
		t, err := findTopic(ctx, tx, h.id)
		if err != nil {
			return nil, err
		}
		sn := h.text
		if res.Substring {
			sn = substringSnippet(h.text, terms, 40)
		}
		res.Hits = append(res.Hits, &SearchHit{Topic: t, Rank: h.rank, SnippetHTML: markSnippet(sn)})
	}
	return res, nil
}

// markSnippet HTML-escapes s and turns the \x02...\x03 match markers into
// <mark> elements.
func markSnippet(s string) string {
	s = html.EscapeString(s)
	return strings.NewReplacer("\x02", "<mark>", "\x03", "</mark>").Replace(s)
}

// substringSnippet cuts about width characters either side of the first
// match of any term in body and marks every match, with the same markers
// as FTS5's snippet().
func substringSnippet(body string, terms []string, width int) string {
	lower := strings.ToLower(body) // ASCII-only folding keeps byte offsets in step for CJK text
	if len(lower) != len(body) {
		lower = body
	}
	first := -1
	for _, t := range terms {
		if i := strings.Index(lower, t); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		first = 0
	}
	start := first
	for n := 0; start > 0 && n < width; n++ {
		_, size := utf8.DecodeLastRuneInString(body[:start])
		start -= size
	}
	end := first
	for n := 0; end < len(body) && n < 2*width; n++ {
		_, size := utf8.DecodeRuneInString(body[end:])
		end += size
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	seg, lseg := body[start:end], lower[start:end]
	for i := 0; i < len(seg); {
		matched := false
		for _, t := range terms {
			if t != "" && strings.HasPrefix(lseg[i:], t) {
				b.WriteString("\x02" + seg[i:i+len(t)] + "\x03")
				i += len(t)
				matched = true
				break
			}
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(seg[i:])
			b.WriteString(seg[i : i+size])
			i += size
		}
	}
	if end < len(body) {
		b.WriteString("…")
	}
	return b.String()
}

// reindexTopic rewrites a topic's search row from its title and visible
// posts; deleted and hidden topics leave the index.
func (s *Store) reindexTopic(ctx context.Context, tx *txn, topicID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_search WHERE rowid = ?`, topicID); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO forum_search (rowid, title, body)
		SELECT t.id, t.title, coalesce((SELECT group_concat(text, char(10)) FROM
			(SELECT p.text FROM forum_posts p WHERE p.topic_id = t.id AND p.deleted_at IS NULL AND p.hidden = 0 ORDER BY p.number)), '')
		FROM forum_topics t WHERE t.id = ? AND t.deleted_at IS NULL AND t.hidden = 0`, topicID)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}
