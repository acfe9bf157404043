// Package search is the portal's one search engine: a query parser, an
// index schema on SQLite FTS5, a ranker and a snippet builder, shared by
// the docs, the forum and anything else that needs full-text search.
//
// Text is analysed the same way when it is indexed and when it is
// searched (analyze.go): Unicode compatibility folding, lower case,
// Traditional to Simplified Chinese (OpenCC's table), English Snowball
// stems for Latin words, and overlapping character pairs for Chinese.
// Queries are segmented with a small Chinese dictionary, expanded with a
// reviewed synonyms table (data/synonyms.txt), corrected for one-letter
// typos, and ranked in tiers (rank.go).
package search

// Limits: queries longer than MaxQueryRunes are cut and at most
// MaxQueryTerms words are used, so that a hostile query cannot make the
// index work for long.
const (
	MaxQueryRunes = 200
	MaxQueryTerms = 8
	MaxResults    = 50
)

// Kinds of documents the portal indexes.
const (
	KindDoc   = "doc"
	KindTopic = "topic"
)

// Doc is one searchable document.
type Doc struct {
	Key         string // unique in the index, e.g. "doc:en/engine/channels" or "topic:42"
	Kind        string // KindDoc, KindTopic, ...
	Lang        string // one of the index's languages
	Title       string
	Description string
	Headings    []string
	Body        string // plain text
	URL         string
	Group       int64 // a filter value such as a forum category; 0 for none
	Answered    bool  // a forum topic with an accepted answer ranks above an unanswered one
	Time        int64 // last activity (Unix seconds); the newer wins a tie
}

// Request is one search.
type Request struct {
	Text   string
	Lang   string // "" searches every language of the index
	Kind   string // "" searches every kind
	Group  int64  // 0 for any
	Limit  int    // default and maximum MaxResults
	Offset int
}

// Hit is one result. Snippet is HTML: escaped text with the matched words
// wrapped in <mark>.
type Hit struct {
	Key     string
	Kind    string
	Lang    string
	Title   string
	URL     string
	Snippet string
	Score   float64 // higher is better; only the order means anything
}

// Results is one page of hits.
type Results struct {
	Hits []Hit
	// Total counts every document found (all-terms and any-term), up to
	// the ranker's candidate limit.
	Total int
	// Partial is true when some hits match only some of the words: the
	// query matched fewer than three documents with every word.
	Partial bool
	// Suggestion is the query with its typos corrected ("Did you mean"),
	// or "" when no word needed correcting. Hits already include the
	// corrected words.
	Suggestion string
}
