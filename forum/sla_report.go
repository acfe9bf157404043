package forum

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// Report limits.
const (
	DefaultReportWeeks = 12
	MaxReportWeeks     = 52
)

// ReportFilter selects the topics a response-time report covers.
type ReportFilter struct {
	Weeks    int    // 1 to MaxReportWeeks; 0 means DefaultReportWeeks
	Category string // category slug; "" for all
	Lang     string // "en", "zh" or "" for all
}

// Normalize applies the defaults and reports an ErrInvalid error for
// values out of range.
func (f *ReportFilter) Normalize() error {
	if f.Weeks == 0 {
		f.Weeks = DefaultReportWeeks
	}
	if f.Weeks < 1 || f.Weeks > MaxReportWeeks {
		return invalid("weeks", "sla.error.weeks_invalid", map[string]any{"Max": MaxReportWeeks})
	}
	if f.Lang != "" && !validLang(f.Lang) {
		return invalid("lang", "forum.error.lang_invalid", nil)
	}
	return nil
}

// Figures are the first-official-response figures of a set of topics.
//
// The set is the topics created in the period whose policy sets a first
// response target. Each such topic is exactly one of:
//   - answered: it has an official response, Met (before the due time)
//     or MetLate (at or after it);
//   - waiting: no official response yet and still open; WaitingBreached
//     of them are past their due time;
//   - left out: closed, deleted or solved without an official response.
//
// Topics still waiting past their due time count against the target:
// MetPct is Met / (Answered + WaitingBreached). In Median and P90 they
// count as slower than every answer (they are not answered within any
// time yet); when such a topic falls at the percentile's rank, the
// percentile is not reached (MedianReached or P90Reached false). Waiting
// topics not yet due are left out of both until they are answered or due.
type Figures struct {
	Topics          int `json:"topics"`
	Answered        int `json:"answered"`
	Met             int `json:"met"`
	MetLate         int `json:"met_late"`
	Waiting         int `json:"waiting"`
	WaitingBreached int `json:"waiting_breached"`
	LeftOut         int `json:"left_out"`
	// MetPct is a percentage, NaN when nothing is counted yet.
	MetPct float64 `json:"-"`
	// Median and P90 are nearest-rank percentiles of the business time to
	// the first official response.
	Median        time.Duration `json:"-"`
	MedianReached bool          `json:"-"`
	P90           time.Duration `json:"-"`
	P90Reached    bool          `json:"-"`
	// OldestWait is the longest current wait for a first official
	// response, in calendar time from the topic's creation to the report.
	OldestWait time.Duration `json:"-"`
	// Solved topics and the median business time from creation to the
	// accepted answer.
	Solved         int           `json:"solved"`
	SolutionMedian time.Duration `json:"-"`

	responses []time.Duration // answered business times, then +Inf for each breached wait
	solutions []time.Duration
}

// Counted is the number of topics MetPct is computed over.
func (f Figures) Counted() int { return f.Answered + f.WaitingBreached }

// GroupFigures are the figures of one week, category or language.
type GroupFigures struct {
	Key   string    `json:"key"`   // category slug, language, or the week's start date
	Start time.Time `json:"start"` // weeks only
	Figures
}

// Report is the public response-time report.
type Report struct {
	Filter      ReportFilter
	From, To    time.Time // the period: From is a Monday 00:00 on the schedule's zone
	Summary     Figures
	Weeks       []GroupFigures // oldest first, one per week, the current week last
	ByCategory  []GroupFigures
	ByLanguage  []GroupFigures
	GeneratedAt time.Time
}

const infinite = sla.Infinite

func (f *Figures) add(r *reportRow, now time.Time) {
	f.Topics++
	switch {
	case r.firstAt != 0:
		f.Answered++
		if r.state == "met" {
			f.Met++
		} else {
			f.MetLate++
		}
		f.responses = append(f.responses, time.Duration(r.business)*time.Millisecond)
	case r.awaiting == int(AwaitingFirst):
		f.Waiting++
		if r.due != 0 && r.due <= now.UnixMilli() {
			f.WaitingBreached++
			f.responses = append(f.responses, infinite)
		}
		if w := now.Sub(fromMS(r.created)); w > f.OldestWait {
			f.OldestWait = w
		}
	default:
		f.LeftOut++
	}
	if r.solvedAt != 0 {
		f.Solved++
		f.solutions = append(f.solutions, time.Duration(r.solution)*time.Millisecond)
	}
}

func (f *Figures) finish() {
	f.MetPct = math.NaN()
	if n := f.Counted(); n > 0 {
		f.MetPct = 100 * float64(f.Met) / float64(n)
	}
	f.Median, f.MedianReached = percentile(f.responses, 50)
	f.P90, f.P90Reached = percentile(f.responses, 90)
	f.SolutionMedian, _ = percentile(f.solutions, 50)
	f.responses, f.solutions = nil, nil
}

// percentile is sla.Percentile, with infinite for breached waits.
func percentile(vs []time.Duration, p int) (time.Duration, bool) { return sla.Percentile(vs, p) }

// Report computes the response-time figures of the topics created in the
// last f.Weeks weeks (the current week included), from the stored metrics
// only (their in-memory copy, reportIndex). Anyone may read it. ErrInvalid for a bad filter.
func (x *SLA) Report(ctx context.Context, f ReportFilter) (*Report, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	now := x.st.now()
	loc := x.Schedule().Location()
	today := now.In(loc)
	monday := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	monday = monday.AddDate(0, 0, -((int(monday.Weekday()) + 6) % 7))
	from := monday.AddDate(0, 0, -7*(f.Weeks-1))
	rep := &Report{Filter: f, From: from, To: now, GeneratedAt: now}
	starts := make([]int64, f.Weeks)
	rep.Weeks = make([]GroupFigures, f.Weeks)
	for i := range rep.Weeks {
		s := from.AddDate(0, 0, 7*i)
		starts[i] = s.UnixMilli()
		rep.Weeks[i] = GroupFigures{Key: s.Format("2006-01-02"), Start: s}
	}
	byCat, byLang := map[string]*GroupFigures{}, map[string]*GroupFigures{}
	group := func(m map[string]*GroupFigures, k string) *GroupFigures {
		g := m[k]
		if g == nil {
			g = &GroupFigures{Key: k}
			m[k] = g
		}
		return g
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	x.index.scan(from.UnixMilli(), func(r *reportRow) {
		if !r.counted || (f.Category != "" && r.category != f.Category) || (f.Lang != "" && r.lang != f.Lang) {
			return
		}
		rep.Summary.add(r, now)
		if i := sort.Search(len(starts), func(i int) bool { return starts[i] > r.created }) - 1; i >= 0 {
			rep.Weeks[i].add(r, now)
		}
		group(byCat, r.category).add(r, now)
		group(byLang, r.lang).add(r, now)
	})
	rep.Summary.finish()
	for i := range rep.Weeks {
		rep.Weeks[i].finish()
	}
	rep.ByCategory, rep.ByLanguage = sortedGroups(byCat), sortedGroups(byLang)
	return rep, nil
}

func sortedGroups(m map[string]*GroupFigures) []GroupFigures {
	gs := make([]GroupFigures, 0, len(m))
	for _, g := range m {
		g.finish()
		gs = append(gs, *g)
	}
	slices.SortFunc(gs, func(a, b GroupFigures) int { return strings.Compare(a.Key, b.Key) })
	return gs
}
