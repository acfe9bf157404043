package search

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Candidate limits. BM25 is computed for at most candidatePool matches
// of a query (the newest documents first), so that a word in half of
// 100,000 topics costs no more than a rare one; the best candidatesRanked
// of them by BM25, and the best candidatesDocs docs pages (searched
// apart, so that a flood of topics never pushes a docs page out), are
// then ranked in tiers.
const (
	candidatePool    = 400
	candidatesRanked = 20
	candidatesDocs   = 20
	// bm25Budget is the most postings (documents per word, summed over
	// the words and their synonyms) a query ranks by BM25 among topics.
	bm25Budget = 5000
)

// Rank tiers, best first (see the package docs): an exact title, a title
// with every word, headings or description with every word, the body;
// any-term matches rank below every all-terms match.
const (
	tierExact   = 4
	tierTitle   = 3
	tierHeading = 2
	tierBody    = 1
	tierSome    = 0
	tierScale   = 1000.0
)

// Boosts at equal relevance.
const (
	boostDoc      = 1.25
	boostAnswered = 1.1
)

type candidate struct {
	rid       int64
	bm25      float64
	lang      string
	key, kind string
	title     string
	url       string
	answered  bool
	time      int64
	tier      int
	score     float64
}

// Search runs req: all-terms first, any-term when that finds fewer than
// three documents, typo corrections for words the index does not know.
func (ix *Index) Search(ctx context.Context, req Request) (*Results, error) {
	q := Parse(req.Text)
	res := &Results{Hits: []Hit{}}
	langs := ix.langs
	if req.Lang != "" {
		if !ix.hasLang(req.Lang) {
			return res, nil
		}
		langs = []string{req.Lang}
	}
	if len(q.required()) == 0 {
		return res, nil
	}
	limit := req.Limit
	if limit <= 0 || limit > MaxResults {
		limit = MaxResults
	}
	// One read transaction: the bodies fetched below belong to the same
	// snapshot as the hits, even while documents are written.
	tx, err := ix.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Text, err)
	}
	defer tx.Rollback()
	if s, err := ix.correct(ctx, tx, &q, langs); err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Text, err)
	} else {
		res.Suggestion = s
	}
	groups := q.required()
	// Docs pages have no group; other kinds are told apart by their tags.
	searchDocs := (req.Kind == "" || req.Kind == KindDoc) && req.Group == 0
	searchOther := req.Kind != KindDoc
	var filters []string
	if req.Kind != "" && req.Kind != KindDoc {
		filters = append(filters, ftsString("k"+kindToken(req.Kind)))
	}
	if req.Group != 0 {
		filters = append(filters, ftsString("g"+strconv.FormatInt(req.Group, 10)))
	}
	filter := ""
	if len(filters) > 0 {
		filter = "tags : (" + strings.Join(filters, " AND ") + ") AND "
	}
	all := map[int64]*candidate{}
	var order []*candidate
	collect := func(st *sql.Stmt, lang, expr string, partial bool) error {
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, expr)
		if err != nil {
			return err
		}
		defer rows.Close()
		var found []*candidate
		for rows.Next() {
			c := &candidate{lang: lang, tier: tierBody}
			if partial {
				c.tier = tierSome
			}
			if err := rows.Scan(&c.rid, &c.bm25); err != nil {
				return err
			}
			found = append(found, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		res.Total += len(found)
		sort.SliceStable(found, func(i, j int) bool { return found[i].bm25 < found[j].bm25 }) // newest first at 0
		for _, c := range found[:min(len(found), candidatesRanked)] {
			if _, ok := all[c.rid]; !ok {
				all[c.rid] = c
				order = append(order, c)
			}
		}
		return nil
	}
	run := func(op string, partial bool) error {
		expr := "(" + match(groups, op) + ")"
		for _, lang := range langs {
			if searchDocs {
				if err := collect(ix.stmts[lang].docs, lang, expr, partial); err != nil {
					return err
				}
			}
			if searchOther {
				st := ix.stmts[lang].pool
				if n, err := ix.postings(ctx, tx, lang, groups); err != nil {
					return err
				} else if n > bm25Budget {
					// Too many matches to rank by BM25 in time: take the
					// newest, ranked by where the words are (tiers), and
					// the newest title matches.
					st = ix.stmts[lang].plain
					if err := collect(st, lang, filter+"title : "+expr, partial); err != nil {
						return err
					}
				}
				if err := collect(st, lang, filter+expr, partial); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := run("AND", false); err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Text, err)
	}
	if len(order) < 3 && len(groups) > 1 {
		// Any-term: the documents that matched every word are in the
		// results already; these rank below them.
		before := order
		order, all, res.Total = nil, map[int64]*candidate{}, 0
		if err := run("OR", true); err != nil {
			return nil, fmt.Errorf("search %q: %w", req.Text, err)
		}
		seen := map[int64]bool{}
		for _, c := range before {
			seen[c.rid] = true
		}
		merged := before
		for _, c := range order {
			if !seen[c.rid] {
				merged = append(merged, c)
			}
		}
		order, res.Total = merged, len(merged)
	}
	if err := ix.score(ctx, tx, q, order); err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Text, err)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].score != order[j].score {
			return order[i].score > order[j].score
		}
		return order[i].time > order[j].time
	})
	if req.Offset > 0 {
		order = order[min(req.Offset, len(order)):]
	}
	if len(order) > limit {
		order = order[:limit]
	}
	bodyStmt := tx.StmtContext(ctx, ix.body)
	for _, c := range order {
		var body string
		if err := bodyStmt.QueryRowContext(ctx, c.rid).Scan(&body); err != nil {
			return nil, fmt.Errorf("search %q: %w", req.Text, err)
		}
		if c.tier == tierSome {
			res.Partial = true
		}
		res.Hits = append(res.Hits, Hit{Key: c.key, Kind: c.kind, Lang: c.lang, Title: c.title, URL: c.url,
			Snippet: Snippet(body, q), Score: c.score})
	}
	return res, nil
}

// score reads each candidate's row and gives it its tier and score.
func (ix *Index) score(ctx context.Context, tx *sql.Tx, q Query, cs []*candidate) error {
	if len(cs) == 0 {
		return nil
	}
	// One query for every candidate: a statement per row cost more than
	// the ranking itself.
	type fields struct{ titleToks, headToks, titleKey string }
	byRow := map[int64]*candidate{}
	args := make([]any, len(cs))
	for i, c := range cs {
		byRow[c.rid] = c
		args[i] = c.rid
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid, key, kind, title, url, answered, time, title_tokens, heading_tokens, title_key FROM `+
		ix.name+`_docs WHERE rowid IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(cs)), ", ")+`)`, args...)
	if err != nil {
		return err
	}
	got := map[int64]fields{}
	for rows.Next() {
		var rid int64
		var f fields
		var c candidate
		if err := rows.Scan(&rid, &c.key, &c.kind, &c.title, &c.url, &c.answered, &c.time, &f.titleToks, &f.headToks, &f.titleKey); err != nil {
			rows.Close()
			return err
		}
		if p := byRow[rid]; p != nil {
			p.key, p.kind, p.title, p.url, p.answered, p.time = c.key, c.kind, c.title, c.url, c.answered, c.time
			got[rid] = f
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	groups := q.required()
	exact := squash(q)
	bestBM25 := map[string]float64{}
	for _, c := range cs {
		if k := classOf(c.kind); c.bm25 < bestBM25[k] {
			bestBM25[k] = c.bm25
		}
	}
	for _, c := range cs {
		f := got[c.rid]
		titleToks, headToks, titleKey := f.titleToks, f.headToks, f.titleKey
		title, heads := " "+titleToks+" ", " "+headToks+" "
		inTitle, inHeads := 0, 0
		for _, g := range groups {
			t, h := groupIn(g, title), groupIn(g, heads)
			if t {
				inTitle++
			}
			if h || t {
				inHeads++
			}
		}
		// BM25 (lower is better) relative to the best of the candidate's
		// table: docs pages and topics are scored in tables of their own,
		// whose statistics differ, so only the ratio compares.
		rel := 1.0 // a topic taken without BM25 (see bm25Budget)
		if best := bestBM25[classOf(c.kind)]; c.bm25 < 0 && best < 0 {
			rel = c.bm25 / best
		}
		if c.tier == tierSome {
			// Any-term: rank by how many words matched, then BM25.
			rel = rel/2 + float64(2*inTitle+inHeads)
		} else {
			switch {
			case exact != "" && exact == titleKey:
				c.tier = tierExact
			case inTitle == len(groups):
				c.tier = tierTitle
			case inHeads == len(groups):
				c.tier = tierHeading
			}
			// A forum question's title counts as much as a docs page's
			// headings: at the same match the docs page answers better.
			if c.kind != KindDoc && c.tier > tierHeading {
				c.tier--
			}
		}
		if c.kind == KindDoc {
			rel *= boostDoc
		}
		if c.answered {
			rel *= boostAnswered
		}
		// Within a tier, words in the title or headings count too, even
		// when not all of them are there.
		if c.tier != tierSome && len(groups) > 1 {
			rel += float64(inTitle)/float64(len(groups)) + 0.3*float64(inHeads)/float64(len(groups))
		}
		c.score = float64(c.tier)*tierScale + 100*rel
	}
	return nil
}

// groupIn reports whether one of g's alternatives has all its tokens in
// toks (space-separated, with a space at each end).
func groupIn(g Group, toks string) bool {
	for _, a := range g.Alts {
		if len(a.Tokens) == 0 {
			continue
		}
		ok := true
		for i, t := range a.Tokens {
			if strings.Contains(toks, " "+t+" ") || i == len(a.Tokens)-1 && a.Prefix && strings.Contains(toks, " "+t) {
				continue
			}
			ok = false
			break
		}
		if ok {
			return true
		}
	}
	return false
}

// squash is the query's words without stopwords, joined with no spaces,
// for comparing with a title; "" for a one-alternative-free query.
func squash(q Query) string {
	var b strings.Builder
	for _, g := range q.required() {
		b.WriteString(squashText(g.Word))
	}
	return b.String()
}

// squashText folds s and keeps only its letters and digits, stemmed, so
// that "Channels" equals "channel".
func squashText(s string) string {
	var b strings.Builder
	for _, sp := range spans(fold(s)) {
		if sp.cjk {
			b.WriteString(sp.text)
		} else if !stopwords[sp.text] {
			b.WriteString(stem(sp.text))
		}
	}
	return b.String()
}

// CountLiteral counts the documents of lang that contain the words of
// text as they are: no synonyms, no typo correction. Tests use it to check
// that the synonyms table leads somewhere.
func CountLiteral(ctx context.Context, ix *Index, lang, text string) (int, error) {
	var groups []Group
	for _, g := range Parse(text + " ").required() {
		g.Alts = g.Alts[:1]
		groups = append(groups, g)
	}
	if len(groups) == 0 || !ix.hasLang(lang) {
		return 0, nil
	}
	n := 0
	for _, c := range classes {
		var k int
		if err := ix.db.QueryRowContext(ctx, `SELECT count(*) FROM `+ix.fts(lang, c)+` WHERE `+ix.fts(lang, c)+` MATCH ?`,
			"("+match(groups, "AND")+")").Scan(&k); err != nil {
			return 0, fmt.Errorf("count %q: %w", text, err)
		}
		n += k
	}
	return n, nil
}
