package search

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // NewMemory opens an in-memory SQLite database
)

// schemaVersion changes whenever the tables or the analysis change; Open
// then drops the old tables and reports that the index must be rebuilt.
const schemaVersion = 5

// Column weights for BM25: title, headings, description, body, pinyin (of
// title and headings), tags.
const bm25Weights = "10.0, 4.0, 5.0, 1.0, 6.0, 0.0"

// Execer runs statements: a *sql.DB or the caller's *sql.Tx, so that a
// store can index a row in the transaction that writes it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Index is a full-text index kept in tables named NAME_* of an SQLite
// database: one table of documents, and per language one contentless
// FTS5 table of their tokens (analyze) with its table of terms for typo
// correction. The FTS tables store no text, so matching and BM25 never
// read document bodies; bodies are read for the hits returned, to build
// snippets.
type Index struct {
	db    *sql.DB
	name  string
	langs []string
	owned bool
	// Statements prepared once: the hot path of every search.
	stmts map[string]langStmts
	body  *sql.Stmt
}

type langStmts struct {
	docs, pool, plain *sql.Stmt
	// vocabulary look-ups, per class
	term, prefix, first map[string]*sql.Stmt
}

// Documents live in two FTS tables per language, by class: docs pages
// ("d") and everything else ("o", such as forum topics). The docs table
// is small, so the docs pages that match are always found cheaply, and
// ranked by BM25 among themselves, however many topics match too.
var classes = []string{"d", "o"}

func classOf(kind string) string {
	if kind == KindDoc {
		return "d"
	}
	return "o"
}

// prepare readies the search statements.
func (ix *Index) prepare(ctx context.Context) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = ix.db.PrepareContext(ctx, q)
		return st
	}
	ix.stmts = map[string]langStmts{}
	for _, l := range ix.langs {
		d, o := ix.fts(l, "d"), ix.fts(l, "o")
		ls := langStmts{
			docs: prep(`SELECT rowid, bm25(` + d + `, ` + bm25Weights + `) AS s FROM ` + d + ` WHERE ` + d + ` MATCH ? ORDER BY s LIMIT ` + strconv.Itoa(candidatesDocs)),
			pool: prep(`SELECT rowid, bm25(` + o + `, ` + bm25Weights + `) FROM ` + o + ` WHERE ` + o + ` MATCH ? ORDER BY rowid DESC LIMIT ` + strconv.Itoa(candidatePool)),
			// Without BM25: its statistics read every match of every
			// word, which for a common word in 100,000 topics costs tens
			// of milliseconds.
			plain: prep(`SELECT rowid, 0.0 FROM ` + o + ` WHERE ` + o + ` MATCH ? ORDER BY rowid DESC LIMIT ` + strconv.Itoa(candidatePool)),
			term:  map[string]*sql.Stmt{}, prefix: map[string]*sql.Stmt{}, first: map[string]*sql.Stmt{},
		}
		for _, c := range classes {
			v := ix.vocab(l, c)
			ls.term[c] = prep(`SELECT doc FROM ` + v + ` WHERE term = ?`)
			ls.prefix[c] = prep(`SELECT count(*) FROM (SELECT 1 FROM ` + v + ` WHERE term >= ? AND term < ? LIMIT 1)`)
			ls.first[c] = prep(`SELECT term, doc FROM ` + v + ` WHERE term >= ? AND term < ?`)
		}
		ix.stmts[l] = ls
	}
	ix.body = prep(`SELECT body FROM ` + ix.name + `_docs WHERE rowid = ?`)
	if err != nil {
		return fmt.Errorf("search index %s: prepare: %w", ix.name, err)
	}
	return nil
}

// Open creates (if needed) the index tables NAME_* in db for langs. It
// reports rebuild = true when the tables are new or were made by another
// version, so the caller must index its documents again.
func Open(ctx context.Context, db *sql.DB, name string, langs []string) (ix *Index, rebuild bool, err error) {
	if !validName(name) {
		return nil, false, fmt.Errorf("search index %q: bad name", name)
	}
	for _, l := range langs {
		if !validName(l) {
			return nil, false, fmt.Errorf("search index %q: bad language %q", name, l)
		}
	}
	ix = &Index{db: db, name: name, langs: langs}
	var version int
	err = db.QueryRowContext(ctx, `SELECT version FROM `+name+`_meta`).Scan(&version)
	if err == nil && version == schemaVersion {
		if err := ix.prepare(ctx); err != nil {
			return nil, false, err
		}
		return ix, false, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("search index %s: %w", name, err)
	}
	defer tx.Rollback()
	stmts := []string{`DROP TABLE IF EXISTS ` + name + `_meta`, `DROP TABLE IF EXISTS ` + name + `_docs`}
	for _, l := range langs {
		for _, c := range classes {
			stmts = append(stmts, `DROP TABLE IF EXISTS `+ix.vocab(l, c), `DROP TABLE IF EXISTS `+ix.fts(l, c))
		}
	}
	stmts = append(stmts,
		`CREATE TABLE `+name+`_meta (version INTEGER NOT NULL)`,
		`INSERT INTO `+name+`_meta VALUES (`+strconv.Itoa(schemaVersion)+`)`,
		`CREATE TABLE `+name+`_docs (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
			lang TEXT NOT NULL, grp INTEGER NOT NULL, answered INTEGER NOT NULL, time INTEGER NOT NULL,
			title TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
			title_tokens TEXT NOT NULL, heading_tokens TEXT NOT NULL, title_key TEXT NOT NULL)`)
	for _, l := range langs {
		for _, c := range classes {
			stmts = append(stmts,
				`CREATE VIRTUAL TABLE `+ix.fts(l, c)+` USING fts5(title, headings, description, body, pinyin, tags,
				content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', detail=full)`,
				`CREATE TABLE `+ix.vocab(l, c)+` (term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID`)
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return nil, false, fmt.Errorf("search index %s: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("search index %s: %w", name, err)
	}
	if err := ix.prepare(ctx); err != nil {
		return nil, false, err
	}
	return ix, true, nil
}

// NewMemory creates an empty index in a private in-memory database, which
// Close releases.
func NewMemory(ctx context.Context, langs []string) (*Index, error) {
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
	ix, _, err := Open(ctx, d, "search", langs)
	if err != nil {
		d.Close()
		return nil, err
	}
	ix.owned = true
	return ix, nil
}

// Close releases the statements of the index, and the database of an
// index made by NewMemory.
func (ix *Index) Close() error {
	for _, st := range ix.stmts {
		st.pool.Close()
		st.plain.Close()
		st.docs.Close()
		for _, c := range classes {
			st.term[c].Close()
			st.prefix[c].Close()
			st.first[c].Close()
		}
	}
	ix.body.Close()
	if ix.owned {
		return ix.db.Close()
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (ix *Index) fts(lang, class string) string { return ix.name + "_" + lang + "_" + class }
func (ix *Index) vocab(lang, class string) string {
	return ix.name + "_" + lang + "_" + class + "_terms"
}

func (ix *Index) hasLang(lang string) bool { return contains(ix.langs, lang) }

// tags are the filter tokens of a document (kind and group), matched in
// the tags column.
func tags(kind string, group int64) string {
	return "k" + kindToken(kind) + " g" + strconv.FormatInt(group, 10)
}

func kindToken(kind string) string {
	var b strings.Builder
	for _, r := range kind {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Upsert adds docs in a transaction of its own, replacing any with the
// same Key.
func (ix *Index) Upsert(ctx context.Context, docs ...Doc) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search upsert: %w", err)
	}
	defer tx.Rollback()
	if err := ix.Put(ctx, tx, docs...); err != nil {
		return err
	}
	return tx.Commit()
}

// Put adds docs through ex (typically the caller's transaction),
// replacing any with the same Key.
func (ix *Index) Put(ctx context.Context, ex Execer, docs ...Doc) error {
	for _, d := range docs {
		if !ix.hasLang(d.Lang) {
			return fmt.Errorf("search put %s: unknown language %q", d.Key, d.Lang)
		}
		if err := ix.Remove(ctx, ex, d.Key); err != nil {
			return err
		}
		headings := strings.Join(d.Headings, "\n")
		answered := 0
		if d.Answered {
			answered = 1
		}
		title, heads, desc, body := analyze(d.Title), analyze(headings), analyze(d.Description), analyze(d.Body)
		// Titles and headings are also indexed in pinyin ("pindao" finds 频道).
		pyTitle, pyHeads := pinyinTokens(d.Title), pinyinTokens(headings)
		res, err := ex.ExecContext(ctx, `INSERT INTO `+ix.name+`_docs (key, kind, lang, grp, answered, time, title, url, body, title_tokens, heading_tokens, title_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Key, d.Kind, d.Lang, d.Group, answered, d.Time, d.Title, d.URL, d.Body,
			title+" "+pyTitle, heads+" "+desc+" "+pyHeads, squashText(d.Title))
		if err != nil {
			return fmt.Errorf("search put %s: %w", d.Key, err)
		}
		rid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("search put %s: %w", d.Key, err)
		}
		if _, err := ex.ExecContext(ctx, `INSERT INTO `+ix.fts(d.Lang, classOf(d.Kind))+` (rowid, title, headings, description, body, pinyin, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, rid, title, heads, desc, body, pyTitle+" "+pyHeads, tags(d.Kind, d.Group)); err != nil {
			return fmt.Errorf("search put %s: %w", d.Key, err)
		}
		if err := ix.count(ctx, ex, d.Lang, classOf(d.Kind), distinct(title, heads, desc, body, pyTitle, pyHeads), 1); err != nil {
			return fmt.Errorf("search put %s: %w", d.Key, err)
		}
	}
	return nil
}

// Optimize merges the FTS5 segments of every table into one, after a bulk
// load: each transaction adds a segment, and every word of a query is
// looked up in every segment. Writes made later are merged automatically.
func (ix *Index) Optimize(ctx context.Context) error {
	for _, l := range ix.langs {
		for _, c := range classes {
			t := ix.fts(l, c)
			if _, err := ix.db.ExecContext(ctx, `INSERT INTO `+t+` (`+t+`) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("search optimize %s: %w", t, err)
			}
		}
	}
	return nil
}

// Delete removes the doc with key, in a transaction of its own.
func (ix *Index) Delete(ctx context.Context, key string) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search delete %s: %w", key, err)
	}
	defer tx.Rollback()
	if err := ix.Remove(ctx, tx, key); err != nil {
		return err
	}
	return tx.Commit()
}

// Remove deletes the doc with key through ex; a missing key is no error.
func (ix *Index) Remove(ctx context.Context, ex Execer, key string) error {
	var rid int64
	var lang, kind, titleToks, headToks, body string
	err := ex.QueryRowContext(ctx, `DELETE FROM `+ix.name+`_docs WHERE key = ? RETURNING rowid, lang, kind, title_tokens, heading_tokens, body`, key).
		Scan(&rid, &lang, &kind, &titleToks, &headToks, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("search remove %s: %w", key, err)
	}
	if !ix.hasLang(lang) {
		return nil
	}
	if _, err := ex.ExecContext(ctx, `DELETE FROM `+ix.fts(lang, classOf(kind))+` WHERE rowid = ?`, rid); err != nil {
		return fmt.Errorf("search remove %s: %w", key, err)
	}
	if err := ix.count(ctx, ex, lang, classOf(kind), distinct(titleToks, headToks, analyze(body)), -1); err != nil {
		return fmt.Errorf("search remove %s: %w", key, err)
	}
	return nil
}

// distinct is the set of tokens of the analyzed texts.
func distinct(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for tok := range strings.FieldsSeq(t) {
			if !seen[tok] {
				seen[tok] = true
				out = append(out, tok)
			}
		}
	}
	return out
}

// count adds delta to the document counts of terms in the vocabulary of
// (lang, class): the table that typo correction, the as-you-type prefix
// check and the BM25 budget read. (FTS5's own fts5vocab table counts by
// reading every posting, far too slow for a common word.)
func (ix *Index) count(ctx context.Context, ex Execer, lang, class string, terms []string, delta int) error {
	const batch = 200
	for len(terms) > 0 {
		n := min(len(terms), batch)
		args := make([]any, 0, n+1)
		var q string
		if delta > 0 {
			q = `INSERT INTO ` + ix.vocab(lang, class) + ` (term, doc) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, 1), ", n), ", ") +
				` ON CONFLICT (term) DO UPDATE SET doc = doc + 1`
		} else {
			q = `UPDATE ` + ix.vocab(lang, class) + ` SET doc = doc - 1 WHERE term IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)`
		}
		for _, t := range terms[:n] {
			args = append(args, t)
		}
		if _, err := ex.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		if delta < 0 {
			if _, err := ex.ExecContext(ctx, `DELETE FROM `+ix.vocab(lang, class)+` WHERE doc <= 0 AND term IN (`+
				strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+`)`, args...); err != nil {
				return err
			}
		}
		terms = terms[n:]
	}
	return nil
}
