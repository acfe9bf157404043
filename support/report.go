package support

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// PlanPresales is the report key of pre-sales consultations, which have
// no plan of their own.
const PlanPresales = "presales"

// Figures are the public first-response figures of a group of tickets:
// counts and durations only, never a subject, a body or a team.
type Figures struct {
	Tickets         int
	Answered        int // staff responded
	Met             int // within the target
	MetLate         int
	Waiting         int // no response yet, not solved
	WaitingBreached int // of which past the due time
	Stopped         int // solved or closed before any response: not counted
	// MetPct is Met over Answered + WaitingBreached, NaN when that is 0.
	MetPct float64
	// Median and P90 are nearest-rank percentiles of the time to the first
	// response on the target's basis (business time; calendar time for
	// 24/7 targets), counting breached waits as longer than any response.
	Median, P90               time.Duration
	MedianReached, P90Reached bool
	// OldestWait is the longest current wait, calendar time since opening.
	OldestWait time.Duration

	used []time.Duration
}

// Counted is the number of tickets MetPct is computed over.
func (f Figures) Counted() int { return f.Answered + f.WaitingBreached }

func (f *Figures) add(t *Ticket, now time.Time) {
	f.Tickets++
	switch st := t.Clock; {
	case st.State == sla.Stopped:
		f.Stopped++
	case !t.RespondedAt.IsZero():
		f.Answered++
		if st.State == sla.Met {
			f.Met++
		} else {
			f.MetLate++
		}
		f.used = append(f.used, st.Used)
	default:
		f.Waiting++
		if st.State == sla.Breached {
			f.WaitingBreached++
			f.used = append(f.used, sla.Infinite)
		}
		if w := now.Sub(t.CreatedAt); w > f.OldestWait {
			f.OldestWait = w
		}
	}
}

func (f *Figures) finish() {
	f.MetPct = math.NaN()
	if n := f.Counted(); n > 0 {
		f.MetPct = 100 * float64(f.Met) / float64(n)
	}
	f.Median, f.MedianReached = sla.Percentile(f.used, 50)
	f.P90, f.P90Reached = sla.Percentile(f.used, 90)
	f.used = nil
}

// ReportRow is one plan and priority.
type ReportRow struct {
	Plan     string // plan ID, or PlanPresales
	Priority Priority
	Target   sla.Target // the plan's current target
	Figures
	Weekly []WeekFigures // oldest first, the current week last
}

// WeekFigures are the figures of the tickets opened in one week.
type WeekFigures struct {
	Start time.Time // Monday 00:00 on the schedule's zone
	Figures
}

// Report is the public ticket report.
type Report struct {
	From, To time.Time
	Rows     []ReportRow
}

// Report computes the figures of the tickets opened in the last weeks
// weeks (the current one included), per plan with tickets and priority,
// plus pre-sales consultations. Anyone may read it.
func (s *Service) Report(ctx context.Context, weeks int) (*Report, error) {
	if weeks < 1 || weeks > 52 {
		return nil, fmt.Errorf("report weeks %d: %w", weeks, ErrInvalid)
	}
	now := s.now()
	loc := s.schedule().Location()
	d := now.In(loc)
	monday := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	from := monday.AddDate(0, 0, -7*(weeks-1))
	plans, err := s.Plans(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{From: from, To: now}
	index := map[string]int{}
	addRow := func(plan string, p Priority, target sla.Target) {
		r := ReportRow{Plan: plan, Priority: p, Target: target}
		for w := range weeks {
			r.Weekly = append(r.Weekly, WeekFigures{Start: from.AddDate(0, 0, 7*w)})
		}
		index[plan+"/"+string(p)] = len(rep.Rows)
		rep.Rows = append(rep.Rows, r)
	}
	for _, p := range plans {
		if !p.Tickets {
			continue
		}
		for _, pr := range Priorities {
			if t, ok := p.Targets[pr]; ok {
				addRow(p.ID, pr, t)
			}
		}
	}
	addRow(PlanPresales, Normal, PresalesTarget(s.schedule().BusinessDay()))
	ts, err := s.query(ctx, `WHERE created_at >= ? ORDER BY id`, from.UnixMilli())
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		key := t.PlanID + "/" + string(t.Priority)
		if t.Kind == KindPresales {
			key = PlanPresales + "/" + string(Normal)
		}
		i, ok := index[key]
		if !ok { // a plan or priority without a target now
			continue
		}
		r := &rep.Rows[i]
		r.add(t, now)
		if w := int(t.CreatedAt.Sub(from) / (7 * 24 * time.Hour)); w >= 0 && w < len(r.Weekly) {
			r.Weekly[w].add(t, now)
		}
	}
	for i := range rep.Rows {
		rep.Rows[i].finish()
		for w := range rep.Rows[i].Weekly {
			rep.Rows[i].Weekly[w].finish()
		}
	}
	return rep, nil
}
