package search

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Candidate limits: the ranker reorders the best BM25 matches, the best
// title matches and the best docs pages, so that neither a flood of forum
// topics nor a long page pushes an exact title out of reach.
const (
	candidatesAll   = 150
	candidatesTitle = 40
	candidatesKind  = 20
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
	filter := ""
	if req.Kind != "" || req.Group != 0 {
		var f []string
		if req.Kind != "" {
			f = append(f, ftsString("k"+kindToken(req.Kind)))
		}
		if req.Group != 0 {
			f = append(f, ftsString("g"+strconv.FormatInt(req.Group, 10)))
		}
		filter = "tags : (" + strings.Join(f, " AND ") + ") AND "
	}
	all := map[int64]*candidate{}
	var order []*candidate
	collect := func(lang, expr string, n int, partial bool) error {
		rows, err := tx.QueryContext(ctx, `SELECT rowid, bm25(`+ix.fts(lang)+`, `+bm25Weights+`) AS s FROM `+ix.fts(lang)+
			` WHERE `+ix.fts(lang)+` MATCH ? ORDER BY s LIMIT ?`, expr, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			if err := rows.Scan(&c.rid, &c.bm25); err != nil {
				return err
			}
			if _, ok := all[c.rid]; ok {
				continue
			}
			c.lang = lang
			if partial {
				c.tier = tierSome
			} else {
				c.tier = tierBody
			}
			all[c.rid] = &c
			order = append(order, &c)
		}
		return rows.Err()
	}
	and := match(groups, "AND")
	for _, lang := range langs {
		if err := collect(lang, filter+"("+and+")", candidatesAll, false); err != nil {
			return nil, fmt.Errorf("search %q: %w", req.Text, err)
		}
		if err := collect(lang, filter+"title : ("+and+")", candidatesTitle, false); err != nil {
			return nil, fmt.Errorf("search %q: %w", req.Text, err)
		}
		if req.Kind == "" {
			if err := collect(lang, "tags : "+ftsString("k"+KindDoc)+" AND "+filter+"("+and+")", candidatesKind, false); err != nil {
				return nil, fmt.Errorf("search %q: %w", req.Text, err)
			}
		}
	}
	if len(order) < 3 && len(groups) > 1 {
		or := match(groups, "OR")
		for _, lang := range langs {
			if err := collect(lang, filter+"("+or+")", candidatesAll, true); err != nil {
				return nil, fmt.Errorf("search %q: %w", req.Text, err)
			}
		}
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
	res.Total = len(order)
	if req.Offset > 0 {
		order = order[min(req.Offset, len(order)):]
	}
	if len(order) > limit {
		order = order[:limit]
	}
	bodyStmt, err := tx.PrepareContext(ctx, `SELECT body FROM `+ix.name+`_docs WHERE rowid = ?`)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Text, err)
	}
	defer bodyStmt.Close()
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
	st, err := tx.PrepareContext(ctx, `SELECT key, kind, title, url, answered, time, title_tokens, heading_tokens FROM `+ix.name+`_docs WHERE rowid = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	groups := q.required()
	exact := squash(q)
	for _, c := range cs {
		var titleToks, headToks string
		if err := st.QueryRowContext(ctx, c.rid).Scan(&c.key, &c.kind, &c.title, &c.url, &c.answered, &c.time, &titleToks, &headToks); err != nil {
			return err
		}
		title, heads := fieldSet(titleToks), fieldSet(headToks)
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
		rel := -c.bm25 // bm25 is lower for better matches
		if c.tier == tierSome {
			// Any-term: rank by how many words matched, then BM25.
			rel = rel/(1+rel) + float64(2*inTitle+inHeads)
		} else {
			switch {
			case exact != "" && exact == squashText(c.title):
				c.tier = tierExact
			case inTitle == len(groups):
				c.tier = tierTitle
			case inHeads == len(groups):
				c.tier = tierHeading
			}
		}
		if c.kind == KindDoc {
			rel *= boostDoc
		}
		if c.answered {
			rel *= boostAnswered
		}
		c.score = float64(c.tier)*tierScale + rel
	}
	return nil
}

func fieldSet(s string) map[string]bool {
	set := map[string]bool{}
	for t := range strings.FieldsSeq(s) {
		set[t] = true
	}
	return set
}

// groupIn reports whether one of g's alternatives has all its tokens in set.
func groupIn(g Group, set map[string]bool) bool {
	for _, a := range g.Alts {
		if len(a.Tokens) == 0 {
			continue
		}
		ok := true
		for i, t := range a.Tokens {
			if set[t] {
				continue
			}
			if i == len(a.Tokens)-1 && a.Prefix && hasPrefixToken(set, t) {
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

func hasPrefixToken(set map[string]bool, p string) bool {
	for t := range set {
		if strings.HasPrefix(t, p) {
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
