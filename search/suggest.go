package search

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"
)

// minTypoRunes is the shortest word corrected for typos: shorter words
// have too many neighbours one edit away.
const minTypoRunes = 5

// correct replaces, in q, each Latin word of five or more letters that
// the index does not know with the most common known word one edit away
// (an insertion, deletion, substitution or transposition), and returns
// the corrected query text for "Did you mean", or "" when nothing changed.
func (ix *Index) correct(ctx context.Context, tx *sql.Tx, q *Query, langs []string) (string, error) {
	changed := false
	words := make([]string, len(q.Groups))
	for i, g := range q.Groups {
		words[i] = g.Word
		// A last word typed in full ("channels") need not match as a
		// prefix: the exact word is cheaper to look up and more precise.
		if g.Latin && len(g.Alts) > 0 && g.Alts[0].Prefix && len(g.Alts[0].Tokens) == 1 {
			exact, err := ix.hasTerm(ctx, tx, g.Alts[0].Tokens[0], false, langs)
			if err != nil {
				return "", err
			}
			if exact {
				q.Groups[i].Alts[0].Prefix = false
				continue
			}
		}
		if !g.Latin || g.Optional || utf8.RuneCountInString(g.Word) < minTypoRunes || !isASCIILetters(g.Word) {
			continue
		}
		known, err := ix.known(ctx, tx, g, langs)
		if err != nil || known {
			if err != nil {
				return "", err
			}
			continue
		}
		fix, err := ix.nearest(ctx, tx, g.Word, langs)
		if err != nil {
			return "", err
		}
		if fix == "" {
			continue
		}
		prefix := len(g.Alts) > 0 && g.Alts[0].Prefix
		q.Groups[i] = latinGroup(fix, prefix)
		words[i] = fix
		changed = true
	}
	if !changed {
		return "", nil
	}
	return strings.Join(words, " "), nil
}

// known reports whether any alternative of g has all its tokens in the
// index of one of langs.
func (ix *Index) known(ctx context.Context, tx *sql.Tx, g Group, langs []string) (bool, error) {
	for _, a := range g.Alts {
		all := true
		for k, t := range a.Tokens {
			ok, err := ix.hasTerm(ctx, tx, t, k == len(a.Tokens)-1 && a.Prefix, langs)
			if err != nil {
				return false, err
			}
			if !ok {
				all = false
				break
			}
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

// hasTerm reports whether the index of one of langs holds the token t, or
// a token that starts with t.
func (ix *Index) hasTerm(ctx context.Context, tx *sql.Tx, t string, prefix bool, langs []string) (bool, error) {
	for _, lang := range langs {
		for _, c := range classes {
			var n int
			var err error
			if prefix {
				err = tx.StmtContext(ctx, ix.stmts[lang].prefix[c]).QueryRowContext(ctx, t, t+"\U0010FFFF").Scan(&n)
			} else {
				err = tx.StmtContext(ctx, ix.stmts[lang].term[c]).QueryRowContext(ctx, t).Scan(&n)
				if errors.Is(err, sql.ErrNoRows) {
					n, err = 0, nil
				}
			}
			if err != nil {
				return false, err
			}
			if n > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// nearest is the word one edit from word (an insertion, deletion,
// substitution or transposition) whose stem the most documents hold, or "".
func (ix *Index) nearest(ctx context.Context, tx *sql.Tx, word string, langs []string) (string, error) {
	// The index terms that start like word: a typo in the first letter is
	// rare, and this keeps the scan to a slice of the vocabulary.
	docs := map[string]int{}
	for _, lang := range langs {
		for _, c := range classes {
			rows, err := tx.StmtContext(ctx, ix.stmts[lang].first[c]).QueryContext(ctx, word[:1], string(word[0]+1))
			if err != nil {
				return "", err
			}
			for rows.Next() {
				var term string
				var n int
				if err := rows.Scan(&term, &n); err != nil {
					rows.Close()
					return "", err
				}
				docs[term] += n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return "", err
			}
		}
	}
	best, bestDocs := "", 0
	for _, c := range edits1(word) {
		if n := docs[stem(c)]; n > bestDocs || n == bestDocs && n > 0 && c < best {
			best, bestDocs = c, n
		}
	}
	return best, nil
}

// edits1 lists the strings one edit from the lower-case ASCII word w.
func edits1(w string) []string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var out []string
	for i := 0; i <= len(w); i++ {
		for _, c := range letters {
			out = append(out, w[:i]+string(c)+w[i:]) // insertion
			if i < len(w) && byte(c) != w[i] {
				out = append(out, w[:i]+string(c)+w[i+1:]) // substitution
			}
		}
		if i < len(w) {
			out = append(out, w[:i]+w[i+1:]) // deletion
		}
		if i+1 < len(w) {
			out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:]) // transposition
		}
	}
	return out
}

// postings estimates the work of ranking groups by BM25 among the topics
// of lang: the number of documents holding each token, summed; a prefix
// counts as too many.
func (ix *Index) postings(ctx context.Context, tx *sql.Tx, lang string, groups []Group) (int, error) {
	total := 0
	st := tx.StmtContext(ctx, ix.stmts[lang].term["o"])
	for _, g := range groups {
		for _, a := range g.Alts {
			if a.Prefix {
				return bm25Budget + 1, nil
			}
			for _, t := range a.Tokens {
				var n int
				if err := st.QueryRowContext(ctx, t).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return 0, err
				}
				total += n
			}
		}
	}
	return total, nil
}
