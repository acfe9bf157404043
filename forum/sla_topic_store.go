package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// save upserts a topic's metrics.
func (x *SLA) save(ctx context.Context, m *TopicSLA) error {
	_, err := x.st.db.ExecContext(ctx, `INSERT INTO forum_sla_topics (topic_id, category_slug, lang, priority, created_at,
		first_target, first_basis, next_target, next_basis,
		first_at, first_post_id, first_business, first_calendar, first_due, first_risk_at, first_state,
		next_start, next_at, next_business, next_calendar, next_due, next_risk_at, next_state,
		solved_at, solution_business, solution_calendar, awaiting, due, paused, closed, deleted, seen_event_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (topic_id) DO UPDATE SET category_slug = excluded.category_slug, lang = excluded.lang,
		priority = excluded.priority, first_target = excluded.first_target, first_basis = excluded.first_basis,
		next_target = excluded.next_target, next_basis = excluded.next_basis,
		first_at = excluded.first_at, first_post_id = excluded.first_post_id, first_business = excluded.first_business,
		first_calendar = excluded.first_calendar, first_due = excluded.first_due, first_risk_at = excluded.first_risk_at,
		first_state = excluded.first_state, next_start = excluded.next_start, next_at = excluded.next_at,
		next_business = excluded.next_business, next_calendar = excluded.next_calendar, next_due = excluded.next_due,
		next_risk_at = excluded.next_risk_at, next_state = excluded.next_state, solved_at = excluded.solved_at,
		solution_business = excluded.solution_business, solution_calendar = excluded.solution_calendar,
		awaiting = excluded.awaiting, due = excluded.due, paused = excluded.paused, closed = excluded.closed,
		deleted = excluded.deleted, seen_event_id = max(seen_event_id, excluded.seen_event_id), updated_at = excluded.updated_at`,
		m.TopicID, m.CategorySlug, m.Lang, string(m.Priority), ms(m.CreatedAt),
		m.FirstTarget.Duration.Milliseconds(), basisOf(m.FirstTarget), m.NextTarget.Duration.Milliseconds(), basisOf(m.NextTarget),
		msOrNil(m.First.At), nullID(m.First.PostID), m.First.Status.Business.Milliseconds(), m.First.Status.Calendar.Milliseconds(),
		msOrNil(m.First.Status.Due), msOrNil(m.First.Status.AtRiskAt), string(stateOrNone(m.First.Status.State)),
		msOrNil(m.Next.Start), msOrNil(m.Next.At), m.Next.Status.Business.Milliseconds(), m.Next.Status.Calendar.Milliseconds(),
		msOrNil(m.Next.Status.Due), msOrNil(m.Next.Status.AtRiskAt), string(stateOrNone(m.Next.Status.State)),
		msOrNil(m.SolvedAt), m.SolutionBusiness.Milliseconds(), m.SolutionCalendar.Milliseconds(),
		int(m.Awaiting), awaitedDue(m), boolInt(awaitedPaused(m)), boolInt(m.Closed), boolInt(m.Deleted), m.SeenEventID, ms(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save sla metrics: %w", err)
	}
	return nil
}

func stateOrNone(s sla.State) sla.State {
	if s == "" {
		return sla.NoTarget
	}
	return s
}

func awaitedDue(m *TopicSLA) any {
	c, _, ok := m.Awaited()
	if !ok || c.Status.Paused {
		return nil
	}
	return msOrNil(c.Status.Due)
}

func awaitedPaused(m *TopicSLA) bool {
	c, _, ok := m.Awaited()
	return ok && c.Status.Paused
}

const slaCols = `topic_id, category_slug, lang, priority, created_at, first_target, first_basis, next_target, next_basis,
	coalesce(first_at, 0), coalesce(first_post_id, 0), first_business, first_calendar, coalesce(first_due, 0), coalesce(first_risk_at, 0), first_state,
	coalesce(next_start, 0), coalesce(next_at, 0), next_business, next_calendar, coalesce(next_due, 0), coalesce(next_risk_at, 0), next_state,
	coalesce(solved_at, 0), solution_business, solution_calendar, awaiting, paused, closed, deleted, seen_event_id, updated_at`

func scanTopicSLA(row scanner) (*TopicSLA, error) {
	var m TopicSLA
	var prio, fb, nb, fs, ns string
	var created, fd, nd, fat, fbus, fcal, fdue, frisk, nstart, nat, nbus, ncal, ndue, nrisk, solved, sbus, scal, updated int64
	var awaiting int
	var paused bool
	if err := row.Scan(&m.TopicID, &m.CategorySlug, &m.Lang, &prio, &created, &fd, &fb, &nd, &nb,
		&fat, &m.First.PostID, &fbus, &fcal, &fdue, &frisk, &fs,
		&nstart, &nat, &nbus, &ncal, &ndue, &nrisk, &ns,
		&solved, &sbus, &scal, &awaiting, &paused, &m.Closed, &m.Deleted, &m.SeenEventID, &updated); err != nil {
		return nil, err
	}
	d := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	m.Priority, m.CreatedAt, m.UpdatedAt = Priority(prio), fromMS(created), fromMS(updated)
	m.FirstTarget, m.NextTarget = target(fd, fb), target(nd, nb)
	m.First = ResponseClock{Start: m.CreatedAt, At: fromMS(fat), PostID: m.First.PostID, Status: sla.Status{
		State: sla.State(fs), Business: d(fbus), Calendar: d(fcal), Due: fromMS(fdue), AtRiskAt: fromMS(frisk)}}
	m.Next = ResponseClock{Start: fromMS(nstart), At: fromMS(nat), Status: sla.Status{
		State: sla.State(ns), Business: d(nbus), Calendar: d(ncal), Due: fromMS(ndue), AtRiskAt: fromMS(nrisk)}}
	m.SolvedAt, m.SolutionBusiness, m.SolutionCalendar = fromMS(solved), d(sbus), d(scal)
	m.Awaiting = Awaiting(awaiting)
	switch m.Awaiting {
	case AwaitingFirst:
		m.First.Status.Paused = paused
	case AwaitingNext:
		m.Next.Status.Paused = paused
	}
	fill := func(c *ResponseClock, t sla.Target) {
		c.Status.Used = c.Status.Business
		if t.Basis == sla.CalendarTime {
			c.Status.Used = c.Status.Calendar
		}
		if !t.IsZero() {
			c.Status.Left = t.Duration - c.Status.Used
		}
	}
	fill(&m.First, m.FirstTarget)
	fill(&m.Next, m.NextTarget)
	return &m, nil
}

// TopicSLA returns a topic's stored metrics, or ErrNotFound when the topic
// has none (it does not exist). Metrics are public, as the topic is.
func (x *SLA) TopicSLA(ctx context.Context, topicID int64) (*TopicSLA, error) {
	m, err := scanTopicSLA(x.st.db.QueryRowContext(ctx, `SELECT `+slaCols+` FROM forum_sla_topics WHERE topic_id = ?`, topicID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.topic_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("topic sla %d: %w", topicID, err)
	}
	return m, nil
}
