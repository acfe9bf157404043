package forum

import (
	"context"
	"fmt"
	"time"
)

// Timeline is what the response-time (SLA) clock needs to know about a
// topic, extracted from its posts and events.
type Timeline struct {
	TopicID         int64
	CategorySlug    string
	Lang            string
	Priority        Priority // current: the SLA policy follows it
	InitialPriority Priority // at creation
	AskerID         int64
	CreatedAt       time.Time
	// Replies are the replies that are not deleted, in order, each with
	// its author's role when it was posted. Edits never change them.
	Replies []TimelineReply
	// Pauses are the "waiting for the asker" intervals, in order; the last
	// one has a zero To while the topic still waits.
	Pauses     []Pause
	AcceptedAt time.Time // when the current accepted answer was accepted; zero if unsolved
	// Marks are the solve, unsolve, close and reopen events, in order:
	// they stop and start the response clocks (see measure).
	Marks   []Mark
	Closed  bool
	Deleted bool
}

// Mark is one lifecycle event as the SLA clock sees it.
type Mark struct {
	Kind   EventKind // EventAccepted, EventUnaccepted, EventClosed, EventReopened or EventStillNeedHelp
	At     time.Time
	ByTeam bool // the actor was staff, a moderator or an admin at the time
}

// TimelineReply is one reply as the SLA clock sees it.
type TimelineReply struct {
	PostID     int64
	AuthorID   int64
	AuthorRole Role // at the time of posting
	At         time.Time
	ByAsker    bool // the asker's own replies never count as responses
	Hidden     bool // hidden pending flag review
}

// Official reports whether the reply is an official response: written by
// someone holding the staff role at the time, who is not the asker.
func (r TimelineReply) Official() bool { return r.AuthorRole.Official() && !r.ByAsker }

// Pause is a half-open interval [From, To); To is zero while it lasts.
type Pause struct {
	From, To time.Time
}

// Timeline returns a topic's SLA timeline. It is public information (it
// is computed from what the topic page shows) and needs no permission.
func (s *Store) Timeline(ctx context.Context, topicID int64) (*Timeline, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := findTopic(ctx, tx, topicID)
	if err != nil {
		return nil, err
	}
	c, err := findCategory(ctx, tx, t.CategoryID)
	if err != nil {
		return nil, err
	}
	tl := &Timeline{TopicID: t.ID, CategorySlug: c.Slug, Lang: t.Lang, Priority: t.Priority, InitialPriority: t.Priority,
		AskerID: t.AuthorID, CreatedAt: t.CreatedAt, Closed: t.Closed(), Deleted: t.Deleted()}
	rows, err := tx.QueryContext(ctx, `SELECT id, author_id, author_role, created_at, hidden FROM forum_posts
		WHERE topic_id = ? AND number > 1 AND deleted_at IS NULL ORDER BY number`, topicID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	for rows.Next() {
		var r TimelineReply
		var role string
		var at int64
		if err := rows.Scan(&r.PostID, &r.AuthorID, &role, &at, &r.Hidden); err != nil {
			rows.Close()
			return nil, fmt.Errorf("timeline: %w", err)
		}
		r.AuthorRole, r.At, r.ByAsker = Role(role), fromMS(at), r.AuthorID == t.AuthorID
		tl.Replies = append(tl.Replies, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	evs, err := scanEvents(ctx, tx, `SELECT `+eventCols+` FROM forum_events WHERE topic_id = ? AND kind IN (?, ?, ?, ?, ?, ?, ?, ?) ORDER BY at, id`,
		topicID, string(EventWaitingOnAsker), string(EventWaitingCleared), string(EventAccepted), string(EventPriorityChanged),
		string(EventUnaccepted), string(EventClosed), string(EventReopened), string(EventStillNeedHelp))
	if err != nil {
		return nil, err
	}
	firstPrio := true
	for _, e := range evs {
		switch e.Kind {
		case EventWaitingOnAsker:
			tl.Pauses = append(tl.Pauses, Pause{From: e.At})
		case EventWaitingCleared:
			if n := len(tl.Pauses); n > 0 && tl.Pauses[n-1].To.IsZero() {
				tl.Pauses[n-1].To = e.At
			}
		case EventAccepted:
			if e.PostID == t.AcceptedPostID {
				tl.AcceptedAt = e.At
			}
			tl.Marks = append(tl.Marks, Mark{Kind: e.Kind, At: e.At, ByTeam: e.ActorRole.Team()})
		case EventUnaccepted, EventClosed, EventReopened, EventStillNeedHelp:
			tl.Marks = append(tl.Marks, Mark{Kind: e.Kind, At: e.At, ByTeam: e.ActorRole.Team()})
		case EventPriorityChanged:
			if firstPrio {
				tl.InitialPriority = Priority(e.Data["from"])
				firstPrio = false
			}
		}
	}
	return tl, nil
}
