package portal

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-rtm/switchboard/support"
)

// The public ticket figures: the "tickets" section of GET
// /api/forum/response-times and of the response-times dashboard. Counts
// and durations per plan and priority only, never a subject, a body or a
// team (support.Report holds nothing else).

type ticketFiguresJSON struct {
	Tickets           int      `json:"tickets"`
	Answered          int      `json:"answered"`
	Met               int      `json:"met"`
	MetLate           int      `json:"met_late"`
	Waiting           int      `json:"waiting"`
	WaitingBreached   int      `json:"waiting_breached"`
	Stopped           int      `json:"stopped"`
	MetPercent        *float64 `json:"met_percent"`
	MedianSeconds     *int64   `json:"median_first_response_seconds"`
	P90Seconds        *int64   `json:"p90_first_response_seconds"`
	OldestWaitSeconds int64    `json:"oldest_wait_seconds"`
}

type ticketWeekJSON struct {
	Start time.Time `json:"start"`
	ticketFiguresJSON
}

type ticketRowJSON struct {
	Plan          string `json:"plan"`
	Priority      string `json:"priority"`
	TargetSeconds int64  `json:"target_seconds"`
	TargetBasis   string `json:"target_basis"` // business or calendar (around the clock)
	ticketFiguresJSON
	Weekly []ticketWeekJSON `json:"weekly"`
}

func ticketFiguresJSONOf(f support.Figures) ticketFiguresJSON {
	secs := func(ok bool, d time.Duration) *int64 {
		if !ok {
			return nil
		}
		v := int64(d / time.Second)
		return &v
	}
	j := ticketFiguresJSON{Tickets: f.Tickets, Answered: f.Answered, Met: f.Met, MetLate: f.MetLate, Waiting: f.Waiting,
		WaitingBreached: f.WaitingBreached, Stopped: f.Stopped, MedianSeconds: secs(f.MedianReached, f.Median),
		P90Seconds: secs(f.P90Reached, f.P90), OldestWaitSeconds: int64(f.OldestWait / time.Second)}
	if !math.IsNaN(f.MetPct) {
		p := math.Round(f.MetPct*10) / 10
		j.MetPercent = &p
	}
	return j
}

// ticketsJSON is the report's tickets section; nil without support.
func (s *Server) ticketsJSON(ctx context.Context, weeks int) ([]ticketRowJSON, error) {
	if s.cfg.Support == nil {
		return nil, nil
	}
	rep, err := s.cfg.Support.Report(ctx, weeks)
	if err != nil {
		return nil, err
	}
	out := make([]ticketRowJSON, len(rep.Rows))
	for i, r := range rep.Rows {
		row := ticketRowJSON{Plan: r.Plan, Priority: string(r.Priority), TargetSeconds: int64(r.Target.Duration / time.Second),
			TargetBasis: string(r.Target.Basis), ticketFiguresJSON: ticketFiguresJSONOf(r.Figures)}
		for _, w := range r.Weekly {
			row.Weekly = append(row.Weekly, ticketWeekJSON{Start: w.Start, ticketFiguresJSON: ticketFiguresJSONOf(w.Figures)})
		}
		out[i] = row
	}
	return out, nil
}

// ticketRowView is one row of the dashboard's tickets table.
type ticketRowView struct {
	Plan, Priority, Target, MetPct, Median, P90, Oldest string
	Key                                                 string
	support.Figures
}

// ticketRows formats the ticket report for the dashboard; nil without
// support.
func (s *Server) ticketRows(ctx context.Context, v *view, weeks int) ([]ticketRowView, error) {
	if s.cfg.Support == nil {
		return nil, nil
	}
	rep, err := s.cfg.Support.Report(ctx, weeks)
	if err != nil {
		return nil, err
	}
	plans, err := s.cfg.Support.Plans(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{support.PlanPresales: v.T("tickets.presales")}
	for _, p := range plans {
		names[p.ID] = p.Name(v.Lang)
	}
	var out []ticketRowView
	for _, r := range rep.Rows {
		f := r.Figures
		rv := ticketRowView{Key: r.Plan + "/" + string(r.Priority), Plan: names[r.Plan], Priority: v.T("tickets.priority." + string(r.Priority)),
			Target: v.slaTarget(r.Target), Figures: f, MetPct: "—", Median: "—", P90: "—", Oldest: "—"}
		if !math.IsNaN(f.MetPct) {
			rv.MetPct = fmt.Sprintf("%.0f%%", f.MetPct)
		}
		dur := func(ok bool, d time.Duration) string {
			switch {
			case ok:
				return v.Duration(d)
			case f.Counted() > 0:
				return v.T("sla.dash.not_reached")
			}
			return "—"
		}
		rv.Median, rv.P90 = dur(f.MedianReached, f.Median), dur(f.P90Reached, f.P90)
		if f.Waiting > 0 {
			rv.Oldest = v.Duration(f.OldestWait)
		}
		out = append(out, rv)
	}
	return out, nil
}
