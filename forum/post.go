package forum

import "time"

// Post is the question (Number 1) or a reply.
type Post struct {
	ID         int64
	TopicID    int64
	Number     int
	AuthorID   int64
	AuthorRole Role // the author's role when posting: decides the Official badge
	Source     string
	HTML       string // sanitized; safe to insert into a page as is
	Score      int
	Revision   int
	Hidden     bool // hidden pending flag review
	CreatedAt  time.Time
	EditedAt   time.Time
	DeletedAt  time.Time

	AuthorName     string
	AuthorUsername string
	Accepted       bool // the topic's accepted answer
	Voted          bool // the viewer up-voted it
	// Redacted is set when the viewer may not see a deleted or hidden
	// post's content: Source and HTML are then empty.
	Redacted bool
}

// Official reports whether the post carries the "Official" badge: its
// author held the staff role when writing it.
func (p *Post) Official() bool { return p.AuthorRole.Official() }

// Deleted reports whether the post is soft-deleted.
func (p *Post) Deleted() bool { return !p.DeletedAt.IsZero() }

// Revision is one version of a post. Revision 1 is the original.
type Revision struct {
	PostID     int64
	Revision   int
	Title      string // the topic title at this revision (questions only)
	Source     string
	HTML       string // rendered and sanitized when read
	EditorID   int64
	EditorName string
	EditorRole Role
	At         time.Time
}

// TopicView is everything a topic page shows.
type TopicView struct {
	Topic       *Topic
	Category    *Category
	Question    *Post
	Accepted    *Post   // the accepted answer, also present in Replies; nil if unsolved
	Replies     []*Post // in order of posting
	DuplicateOf *Topic  // the original, for topics closed as duplicates
	Watching    bool    // the viewer watches the topic
}
