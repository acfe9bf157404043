package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// SLAConfig configures the response-time service. Zero fields take the
// documented defaults.
type SLAConfig struct {
	// CalendarsDir holds year files that replace or add to the embedded
	// holiday calendars: <dir>/cn/2027.json (see sla.LoadCalendars). The
	// portal passes <data dir>/calendars; "" uses the embedded ones only.
	CalendarsDir string
	// Schedule is the business-hours schedule every topic is measured on
	// (default: sla.DefaultSchedule with the China calendar). Urgent
	// production topics have calendar-time (24/7) targets in the default
	// policies.
	Schedule *sla.Schedule
	// Logger receives refresh failures (default: the Store's logger).
	Logger *slog.Logger
}

// SLA keeps every topic's response-time metrics (forum_sla_topics) up to
// date and answers the queue, dashboard and policy questions from them.
//
// It listens to the Store's events (OnEvent, after commit) and re-measures
// the topic concerned from its Timeline; at start-up it catches up on the
// events recorded since it last ran (EventsAfter), so a crash between a
// commit and a refresh loses nothing. Role changes need no refresh: every
// reply keeps its author's role at posting, which is what counts.
type SLA struct {
	st    *Store
	sched atomic.Pointer[sla.Schedule] // replaced when an admin installs a calendar year
	log   *slog.Logger
	index *reportIndex
	cals  *calendars // nil when the schedule was given in SLAConfig

	mu sync.Mutex // serializes refreshes: the last writer read the latest state
}

// NewSLA loads the calendars, seeds the default policies (once), catches
// up on past events and subscribes to new ones.
func NewSLA(ctx context.Context, st *Store, cfg SLAConfig) (*SLA, error) {
	if cfg.Logger == nil {
		cfg.Logger = st.log
	}
	x := &SLA{st: st, log: cfg.Logger, index: newReportIndex()}
	if cfg.Schedule == nil {
		reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), cfg.CalendarsDir)
		if err != nil {
			return nil, fmt.Errorf("sla: %w", err)
		}
		if cfg.Schedule, err = sla.DefaultSchedule(reg.Calendar(ScheduleRegion)); err != nil {
			return nil, fmt.Errorf("sla: %w", err)
		}
		x.cals = newCalendars(cfg.CalendarsDir, reg)
	}
	x.sched.Store(cfg.Schedule)
	x.logCalendars(ctx)
	if err := x.seedPolicies(ctx); err != nil {
		return nil, err
	}
	if err := x.index.load(ctx, x); err != nil {
		return nil, err
	}
	st.OnEvent(x.onEvent)
	if err := x.CatchUp(ctx); err != nil {
		return nil, err
	}
	if err := x.resumeRecompute(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// Schedule returns the business-hours schedule topics are measured on.
func (x *SLA) Schedule() *sla.Schedule { return x.sched.Load() }

func (x *SLA) onEvent(ctx context.Context, e Event) {
	// The request may end right after its commit; the refresh must not.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := x.Refresh(ctx, e.TopicID); err != nil {
		// CatchUp at the next start repairs it.
		x.log.ErrorContext(ctx, "sla refresh", "topic", e.TopicID, "event", e.ID, "err", err)
	}
}

// CatchUp re-measures every topic with events newer than its stored
// metrics, reading forum_events from where the last catch-up stopped.
func (x *SLA) CatchUp(ctx context.Context) error {
	var cursor int64
	err := x.st.db.QueryRowContext(ctx, `SELECT event_id FROM forum_sla_cursor WHERE id = 1`).Scan(&cursor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sla catch-up: %w", err)
	}
	for {
		evs, err := x.st.EventsAfter(ctx, cursor, 5000)
		if err != nil {
			return fmt.Errorf("sla catch-up: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		done := map[int64]bool{}
		for _, e := range evs {
			if done[e.TopicID] {
				continue
			}
			done[e.TopicID] = true
			var seen int64
			err := x.st.db.QueryRowContext(ctx, `SELECT seen_event_id FROM forum_sla_topics WHERE topic_id = ?`, e.TopicID).Scan(&seen)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sla catch-up: %w", err)
			}
			if seen >= e.ID {
				continue
			}
			if err := x.Refresh(ctx, e.TopicID); err != nil {
				return fmt.Errorf("sla catch-up: %w", err)
			}
		}
		cursor = evs[len(evs)-1].ID
		if _, err := x.st.db.ExecContext(ctx, `INSERT INTO forum_sla_cursor (id, event_id) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET event_id = excluded.event_id`, cursor); err != nil {
			return fmt.Errorf("sla catch-up: %w", err)
		}
	}
}

// Refresh re-measures one topic from its timeline and stores the result.
// The targets stored with the topic are kept while its category and
// priority stay the same; a topic measured for the first time, or whose
// priority or category changed, takes the policy for its current category
// and priority, applied from the topic's start.
func (x *SLA) Refresh(ctx context.Context, topicID int64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	// Read the latest event first: the timeline read after it is at least
	// as new, so a catch-up never skips what this refresh missed.
	var seen int64
	if err := x.st.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM forum_events WHERE topic_id = ?`, topicID).Scan(&seen); err != nil {
		return fmt.Errorf("sla refresh %d: %w", topicID, err)
	}
	tl, err := x.st.Timeline(ctx, topicID)
	if err != nil {
		return fmt.Errorf("sla refresh %d: %w", topicID, err)
	}
	first, next, err := x.targetsFor(ctx, tl)
	if err != nil {
		return fmt.Errorf("sla refresh %d: %w", topicID, err)
	}
	m := measure(tl, first, next, x.Schedule(), x.st.now())
	m.SeenEventID = seen
	if err := x.save(ctx, &m); err != nil {
		return fmt.Errorf("sla refresh %d: %w", topicID, err)
	}
	x.index.put(&m)
	return nil
}

// targetsFor returns the targets stored with the topic while its category
// and priority are those they were chosen for, or else those of the
// policy for its current category and priority (the default policy for a
// category without one).
func (x *SLA) targetsFor(ctx context.Context, tl *Timeline) (first, next sla.Target, err error) {
	var fd, nd int64
	var fb, nb, cat, prio string
	err = x.st.db.QueryRowContext(ctx, `SELECT first_target, first_basis, next_target, next_basis, category_slug, priority FROM forum_sla_topics WHERE topic_id = ?`,
		tl.TopicID).Scan(&fd, &fb, &nd, &nb, &cat, &prio)
	if err == nil && cat == tl.CategorySlug && Priority(prio) == tl.Priority {
		return target(fd, fb), target(nd, nb), nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return first, next, err
	}
	ps, err := x.Policies(ctx)
	if err != nil {
		return first, next, err
	}
	p, _ := sla.FindPolicy(ps, tl.CategorySlug, sla.Priority(tl.Priority))
	return p.FirstResponse, p.NextResponse, nil
}

func target(ms int64, basis string) sla.Target {
	if ms <= 0 {
		return sla.Target{}
	}
	return sla.Target{Duration: time.Duration(ms) * time.Millisecond, Basis: sla.Basis(basis)}
}

func basisOf(t sla.Target) string {
	if t.Basis == "" {
		return string(sla.BusinessTime)
	}
	return string(t.Basis)
}
