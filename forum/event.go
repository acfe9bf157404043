package forum

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// EventKind names what happened to a topic.
type EventKind string

// Topic events. The SLA clock reads them in order: the asker's and staff
// replies (with the actor's role at that moment), deletions, accepts and
// the "waiting for the asker" pauses.
const (
	EventTopicCreated    EventKind = "topic_created"
	EventReplied         EventKind = "replied"      // PostID: the reply
	EventEdited          EventKind = "edited"       // PostID; edits never count as responses
	EventPostDeleted     EventKind = "post_deleted" // PostID; a deleted reply no longer counts
	EventTopicDeleted    EventKind = "topic_deleted"
	EventAccepted        EventKind = "accepted"   // PostID: the answer
	EventUnaccepted      EventKind = "unaccepted" // PostID: the former answer
	EventClosed          EventKind = "closed"     // Data["reason"], Data["duplicate_of"]
	EventReopened        EventKind = "reopened"
	EventLocked          EventKind = "locked"
	EventUnlocked        EventKind = "unlocked"
	EventPinned          EventKind = "pinned"
	EventUnpinned        EventKind = "unpinned"
	EventWaitingOnAsker  EventKind = "waiting_on_asker" // the clock pauses
	EventWaitingCleared  EventKind = "waiting_cleared"  // the clock resumes; Data["by"] = "asker_reply" or "staff"
	EventAssigned        EventKind = "assigned"         // Data["assignee_id"]; "" when unassigned
	EventPriorityChanged EventKind = "priority_changed" // Data["from"], Data["to"], Data["impact"] (optional)
	EventStillNeedHelp   EventKind = "still_need_help"  // the asker un-solves the topic; the next-response clock starts
	EventCategoryChanged EventKind = "category_changed" // Data["from"], Data["to"] (category IDs)
	EventPostHidden      EventKind = "post_hidden"      // PostID; hidden by flags
	EventPostRestored    EventKind = "post_restored"    // PostID; flags dismissed
)

// Event is one entry of a topic's history.
type Event struct {
	ID        int64
	TopicID   int64
	PostID    int64 // 0 when the event is about the whole topic
	Kind      EventKind
	ActorID   int64 // 0: the system
	ActorRole Role  // the actor's role at that moment
	At        time.Time
	Data      map[string]string
}

// addEvent records an event in tx; it is published after commit.
func addEvent(ctx context.Context, tx *txn, e Event) error {
	e.At = tx.now
	data := "{}"
	if len(e.Data) > 0 {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("event data: %w", err)
		}
		data = string(b)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO forum_events (topic_id, post_id, kind, actor_id, actor_role, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.TopicID, nullID(e.PostID), string(e.Kind), nullID(e.ActorID), string(e.ActorRole), ms(e.At), data)
	if err != nil {
		return fmt.Errorf("record %s event: %w", e.Kind, err)
	}
	e.ID, _ = res.LastInsertId()
	tx.events = append(tx.events, e)
	return nil
}

func actorEvent(t *Topic, kind EventKind, u *User, postID int64, data map[string]string) Event {
	e := Event{TopicID: t.ID, PostID: postID, Kind: kind, Data: data}
	if u != nil {
		e.ActorID, e.ActorRole = u.ID, u.Role
	}
	return e
}

func scanEvents(ctx context.Context, tx *txn, query string, args ...any) ([]Event, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var kind, role, data string
		var at int64
		if err := rows.Scan(&e.ID, &e.TopicID, &e.PostID, &kind, &e.ActorID, &role, &at, &data); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		e.Kind, e.ActorRole, e.At = EventKind(kind), Role(role), fromMS(at)
		if data != "{}" && data != "" {
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				return nil, fmt.Errorf("event %d data: %w", e.ID, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const eventCols = `id, topic_id, coalesce(post_id, 0), kind, coalesce(actor_id, 0), actor_role, at, data`

// TopicEvents returns a topic's events in order. Anyone may read them:
// the history of a public topic is public.
func (s *Store) TopicEvents(ctx context.Context, topicID int64) ([]Event, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return scanEvents(ctx, tx, `SELECT `+eventCols+` FROM forum_events WHERE topic_id = ? ORDER BY at, id`, topicID)
}

// EventsAfter returns up to limit events with ID greater than afterID, in
// ID order, so that a consumer (the SLA clock) can catch up after a
// restart.
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return scanEvents(ctx, tx, `SELECT `+eventCols+` FROM forum_events WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}
