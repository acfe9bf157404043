package forum

import (
	"strings"
	"time"
	"unicode"
)

// Priority drives the SLA targets of a topic.
type Priority string

const (
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityNormal || p == PriorityHigh || p == PriorityUrgent
}

// CloseReason says why a topic was closed, as on GitHub Discussions.
type CloseReason string

const (
	CloseResolved  CloseReason = "resolved"
	CloseOutdated  CloseReason = "outdated"
	CloseDuplicate CloseReason = "duplicate" // Topic.DuplicateOf links the original
)

// Valid reports whether r is a close reason.
func (r CloseReason) Valid() bool {
	return r == CloseResolved || r == CloseOutdated || r == CloseDuplicate
}

// Topic is a question and its state. The question's text is its first post
// (Post.Number 1).
type Topic struct {
	ID             int64
	CategoryID     int64
	AuthorID       int64
	AuthorRole     Role // the asker's role when asking
	Title          string
	Lang           string // en or zh
	Priority       Priority
	Tags           []string
	DocsPath       string // the docs page the question is about, e.g. "/docs/quickstart-go"
	ReplyCount     int    // visible replies
	Score          int    // votes on the question
	AcceptedPostID int64  // 0: not solved
	SolvedAt       time.Time
	CloseReason    CloseReason // "": open
	ClosedAt       time.Time
	DuplicateOf    int64
	Locked         bool
	Pinned         bool
	WaitingOnAsker bool // staff paused the SLA clock until the asker replies
	AssigneeID     int64
	Hidden         bool // the question is hidden pending flag review
	CreatedAt      time.Time
	BumpedAt       time.Time // last visible activity
	DeletedAt      time.Time

	// Filled in by reads, for display.
	AuthorName     string
	AuthorUsername string
	AssigneeName   string
	Views          int // counted by RecordView, written every ViewFlush
	CategorySlug   string
	CategoryNameEN string
	CategoryNameZH string
	// The author of the last visible activity (the asker until a reply).
	LastPosterID       int64
	LastPosterName     string
	LastPosterUsername string
	// New is set by MarkNew: activity since the reader last visited or
	// read the topic.
	New bool
}

// CategoryName returns the topic's category name in lang (en or zh).
func (t *Topic) CategoryName(lang string) string {
	if lang == LangZH && t.CategoryNameZH != "" {
		return t.CategoryNameZH
	}
	return t.CategoryNameEN
}

// Solved reports whether the topic has an accepted answer.
func (t *Topic) Solved() bool { return t.AcceptedPostID != 0 }

// Closed reports whether the topic is closed.
func (t *Topic) Closed() bool { return t.CloseReason != "" }

// Deleted reports whether the topic is soft-deleted.
func (t *Topic) Deleted() bool { return !t.DeletedAt.IsZero() }

// Resource describes the topic for the policy, with the asker as owner.
func (t *Topic) Resource() Resource {
	return Resource{OwnerID: t.AuthorID, Locked: t.Locked, Closed: t.Closed()}
}

// Slug is the readable part of the topic's URL (/forum/t/{id}-{slug}):
// lower-cased letters and digits of any script, other runs become '-'.
// It is decoration only; the ID identifies the topic.
func (t *Topic) Slug() string {
	var b strings.Builder
	dash, n := false, 0
	for _, r := range strings.ToLower(t.Title) {
		if n >= 60 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			n++
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "topic"
	}
	return b.String()
}

// NewTopic is the input of Store.CreateTopic.
type NewTopic struct {
	CategoryID int64
	Title      string
	Body       string // Markdown
	Lang       string // en or zh
	Tags       []string
	Priority   Priority // default normal; members choose where the policy allows
	Impact     string   // one line, required for urgent: what is broken and for whom
	DocsPath   string   // optional, e.g. "/docs/quickstart-go"
}

// TopicEdit changes a topic's metadata. Nil fields are left alone. The
// asker and moderators may change the title, category and tags; priority
// changes are for the team (SetPriority).
type TopicEdit struct {
	Title      *string
	CategoryID *int64
	Tags       *[]string
}

// ListKind selects a topic list.
type ListKind string

const (
	ListLatest     ListKind = "latest"     // by last activity, pinned first
	ListNew        ListKind = "new"        // by creation time
	ListUnanswered ListKind = "unanswered" // open topics with no visible reply
	ListUnsolved   ListKind = "unsolved"   // open topics without an accepted answer
	ListSolved     ListKind = "solved"
)

// TopicFilter selects and pages a topic list. Zero fields do not filter.
type TopicFilter struct {
	Kind       ListKind // default ListLatest
	Lang       string   // en, zh or "" for both
	CategoryID int64
	Tag        string
	AuthorID   int64
	DocsPath   string
	Page       int // 1-based
	PerPage    int // default 30, at most 100
}

// TopicList is one page of topics.
type TopicList struct {
	Topics  []*Topic
	Total   int
	Page    int
	PerPage int
}

// Pages returns the number of pages.
func (l *TopicList) Pages() int {
	if l.PerPage == 0 || l.Total == 0 {
		return 1
	}
	return (l.Total + l.PerPage - 1) / l.PerPage
}

// Tag limits.
const (
	MaxTags      = 5
	TagMaxLen    = 30
	DocsPathMax  = 200
	DocsPathRoot = "/docs/"
)

// normalizeTags lower-cases, trims, de-duplicates and checks tags: letters
// and digits of any script, '-', '.', '+', '#'.
func normalizeTags(in []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		t = strings.Join(strings.Fields(t), "-")
		if t == "" || seen[t] {
			continue
		}
		if len([]rune(t)) > TagMaxLen || strings.IndexFunc(t, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-.+#", r))
		}) >= 0 {
			return nil, invalid("tags", "forum.error.tag_invalid", map[string]any{"Tag": t, "Max": TagMaxLen})
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, invalid("tags", "forum.error.too_many_tags", map[string]any{"Max": MaxTags, "Count": MaxTags})
	}
	return out, nil
}

// validateDocsPath accepts "" or a docs path such as "/docs/quickstart-go"
// (language-neutral: no /en or /zh prefix).
func validateDocsPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	if len(p) > DocsPathMax || !strings.HasPrefix(p, DocsPathRoot) || strings.Contains(p, "..") ||
		strings.IndexFunc(p, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("/-_", r))
		}) >= 0 {
		return "", invalid("docs_path", "forum.error.docs_path_invalid", nil)
	}
	return strings.TrimSuffix(p, "/"), nil
}
