package portal

import (
	"context"
	"time"

	"github.com/switchboard-rtm/switchboard/support"
)

// eventHealth is a registered event of the app's team beside what the
// app measured in its window so far.
type eventHealth struct {
	support.Event
	Started bool
	Minutes int // minutes with traffic in the window so far (0: no data)
	Conns   int64
	PubRate float64  // the busiest minute's publishes per second
	Rate    *float64 // delivery rate over the window so far
	P99     *float64 // ms
}

// appEvents fills d.Events: the team's events not yet over, with the
// app's peaks, delivery rate and p99 from its stored minutes.
func (s *Server) appEvents(ctx context.Context, d *appData) error {
	if s.cfg.Support == nil || s.cfg.Usage == nil {
		return nil
	}
	evs, err := s.cfg.Support.Events(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, e := range evs {
		if e.TeamID != d.App.TeamID {
			continue
		}
		h := eventHealth{Event: e, Started: !now.Before(e.Start)}
		if h.Started {
			to := e.End // minutes that start before the end (or, while it runs, by now)
			if now.Before(to) {
				to = now.Add(time.Second)
			}
			pk, err := s.cfg.Usage.Peaks(ctx, d.App.ID, e.Start.Truncate(time.Minute), to)
			if err != nil {
				return err
			}
			h.Minutes, h.Conns, h.PubRate = pk.Minutes, pk.Conns, pk.PublishesPerSec
			sum, _, err := s.cfg.Usage.Summary(ctx, d.App.ID, e.Start.Truncate(time.Minute), to)
			if err != nil {
				return err
			}
			if r, ok := sum.DeliveryRate(); ok {
				h.Rate = &r
			}
			if q, ok := sum.Latency.Quantile(0.99); ok {
				ms := float64(q) / float64(time.Millisecond)
				h.P99 = &ms
			}
		}
		d.Events = append(d.Events, h)
	}
	return nil
}
