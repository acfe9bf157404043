package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-rtm/switchboard/search"
)

// Search limits.
const (
	SearchMaxLen   = search.MaxQueryRunes // characters in a query
	SearchMaxTerms = search.MaxQueryTerms
)

// searchIndexName names the forum's search tables (forum_ix_*), kept in
// the forum database and written in the transaction that changes a topic.
const searchIndexName = "forum_ix"

// SearchQuery is a forum search. Words are separated by spaces; topics
// with every word (in the title or any visible post) come first, then, if
// those are fewer than three, topics with some of them.
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
	// Rank orders hits, higher is better.
	Rank float64
}

// SearchResults is one page of hits.
type SearchResults struct {
	Hits    []*SearchHit
	Total   int
	Page    int
	PerPage int
	// Partial is true when some hits match only some of the words.
	Partial bool
	// Suggestion is the query with its typos corrected, or "".
	Suggestion string
}

// openSearch opens the forum's search index in d, indexing every topic
// again when the index is new (or its format changed).
func (s *Store) openSearch(ctx context.Context) error {
	ix, rebuild, err := search.Open(ctx, s.db, searchIndexName, []string{LangEN, LangZH})
	if err != nil {
		return err
	}
	s.search = ix
	if !rebuild {
		return nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The trigram table of earlier versions.
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS forum_search`); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	ids, err := queryIDs(ctx, tx, `SELECT id FROM forum_topics WHERE deleted_at IS NULL AND hidden = 0`)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	for _, id := range ids {
		if err := s.reindexTopic(ctx, tx, id); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return ix.Optimize(ctx)
}

// Search finds visible topics with the search package: all words first,
// typo corrections and synonyms included, ranked by where the words are
// (title, then posts) and BM25; a topic with an accepted answer wins a
// tie. It returns an ErrInvalid error for an empty or overlong query.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResults, error) {
	text := strings.TrimSpace(q.Text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > SearchMaxLen {
		return nil, invalid("q", "forum.error.search_too_long", map[string]any{"Max": SearchMaxLen, "Count": SearchMaxLen})
	}
	if len(search.Parse(text).Groups) == 0 {
		return nil, invalid("q", "forum.error.search_empty", nil)
	}
	if q.Lang != "" && !validLang(q.Lang) {
		return nil, invalid("lang", "forum.error.lang_invalid", nil)
	}
	page, per := pageBounds(q.Page, q.PerPage, 20, 50)
	r, err := s.search.Search(ctx, search.Request{Text: text, Lang: q.Lang, Kind: search.KindTopic, Group: q.CategoryID,
		Limit: per, Offset: (page - 1) * per})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res := &SearchResults{Page: page, PerPage: per, Total: r.Total, Partial: r.Partial, Suggestion: r.Suggestion}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, h := range r.Hits {
		id, err := strconv.ParseInt(strings.TrimPrefix(h.Key, "topic:"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("search: bad key %q", h.Key)
		}
		t, err := findTopic(ctx, tx, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted since the search
		}
		if err != nil {
			return nil, err
		}
		res.Hits = append(res.Hits, &SearchHit{Topic: t, Rank: h.Score, SnippetHTML: h.Snippet})
	}
	return res, nil
}

// reindexTopic rewrites a topic's search document from its title and
// visible posts, in tx; deleted and hidden topics leave the index.
func (s *Store) reindexTopic(ctx context.Context, tx *txn, topicID int64) error {
	key := "topic:" + strconv.FormatInt(topicID, 10)
	var d search.Doc
	var accepted sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT t.title, t.lang, t.category_id, t.accepted_post_id, t.bumped_at,
		coalesce((SELECT group_concat(text, char(10)) FROM
			(SELECT p.text FROM forum_posts p WHERE p.topic_id = t.id AND p.deleted_at IS NULL AND p.hidden = 0 ORDER BY p.number)), '')
		FROM forum_topics t WHERE t.id = ? AND t.deleted_at IS NULL AND t.hidden = 0`, topicID).
		Scan(&d.Title, &d.Lang, &d.Group, &accepted, &d.Time, &d.Body)
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.search.Remove(ctx, tx, key); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	d.Key, d.Kind, d.Answered = key, search.KindTopic, accepted.Valid
	d.URL = "/" + d.Lang + "/forum/t/" + strconv.FormatInt(topicID, 10)
	if err := s.search.Put(ctx, tx, d); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}
