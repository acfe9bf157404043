package forum

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// QueueLimit is the most topics the staff queue lists at once.
const QueueLimit = 200

// QueueFilter narrows the staff queue. Empty fields match everything.
type QueueFilter struct {
	Category string // category slug
	Lang     string
	Tag      string
	Limit    int // default and maximum QueueLimit
}

// QueueItem is a topic awaiting an official response.
type QueueItem struct {
	TopicID        int64
	Title          string
	CategorySlug   string
	Lang           string
	Priority       Priority // current
	AssigneeID     int64
	AssigneeName   string
	WaitingOnAsker bool
	Awaiting       Awaiting
	Clock          ResponseClock // the awaited clock
	Target         sla.Target
}

// Queue lists the topics awaiting a first or next official response,
// soonest due first; paused topics (waiting for the asker) come last. Only
// the team may see it (ErrForbidden, or ErrUnauthorized when signed out).
func (x *SLA) Queue(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return nil, unauthorized("forum.error.login_required")
	}
	if !x.st.Can(ctx, ActionViewQueue, Resource{}) {
		return nil, forbidden("forum.error.forbidden")
	}
	if f.Limit <= 0 || f.Limit > QueueLimit {
		f.Limit = QueueLimit
	}
	var where strings.Builder
	args := []any{}
	if f.Category != "" {
		where.WriteString(` AND m.category_slug = ?`)
		args = append(args, f.Category)
	}
	if f.Lang != "" {
		where.WriteString(` AND m.lang = ?`)
		args = append(args, f.Lang)
	}
	if f.Tag != "" {
		where.WriteString(` AND EXISTS (SELECT 1 FROM forum_topic_tags g WHERE g.topic_id = m.topic_id AND g.tag = ?)`)
		args = append(args, f.Tag)
	}
	args = append(args, f.Limit)
	rows, err := x.st.db.QueryContext(ctx, `SELECT m.topic_id, t.title, m.category_slug, m.lang, t.priority,
		coalesce(t.assignee_id, 0), coalesce(a.name, ''), t.waiting_on_asker, m.awaiting, m.paused,
		CASE m.awaiting WHEN 1 THEN m.created_at ELSE m.next_start END,
		CASE m.awaiting WHEN 1 THEN m.first_business ELSE m.next_business END,
		CASE m.awaiting WHEN 1 THEN m.first_calendar ELSE m.next_calendar END,
		coalesce(m.due, 0),
		CASE m.awaiting WHEN 1 THEN coalesce(m.first_risk_at, 0) ELSE coalesce(m.next_risk_at, 0) END,
		CASE m.awaiting WHEN 1 THEN m.first_state ELSE m.next_state END,
		CASE m.awaiting WHEN 1 THEN m.first_target ELSE m.next_target END,
		CASE m.awaiting WHEN 1 THEN m.first_basis ELSE m.next_basis END
		FROM forum_sla_topics m INDEXED BY forum_sla_topics_queue JOIN forum_topics t ON t.id = m.topic_id LEFT JOIN forum_users a ON a.id = t.assignee_id
		WHERE m.awaiting > 0 AND m.deleted = 0 AND m.closed = 0`+where.String()+`
		ORDER BY m.due IS NULL, m.due, m.topic_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sla queue: %w", err)
	}
	defer rows.Close()
	var out []QueueItem
	for rows.Next() {
		var it QueueItem
		var prio, state, basis string
		var awaiting int
		var start, bus, cal, due, risk, tgt int64
		if err := rows.Scan(&it.TopicID, &it.Title, &it.CategorySlug, &it.Lang, &prio, &it.AssigneeID, &it.AssigneeName,
			&it.WaitingOnAsker, &awaiting, &it.Clock.Status.Paused, &start, &bus, &cal, &due, &risk, &state, &tgt, &basis); err != nil {
			return nil, fmt.Errorf("sla queue: %w", err)
		}
		it.Priority, it.Awaiting, it.Target = Priority(prio), Awaiting(awaiting), target(tgt, basis)
		it.Clock.Start = fromMS(start)
		st := &it.Clock.Status
		st.State, st.Business, st.Calendar = sla.State(state), time.Duration(bus)*time.Millisecond, time.Duration(cal)*time.Millisecond
		st.Due, st.AtRiskAt = fromMS(due), fromMS(risk)
		out = append(out, it)
	}
	return out, rows.Err()
}
