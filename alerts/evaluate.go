package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/usage"
)

// Flushed tells the evaluator that usage was written at now; hand it to
// usage.Config.OnFlush. It never blocks: flushes that come while an
// evaluation is waiting are folded into it.
func (s *Service) Flushed(now time.Time) {
	select {
	case s.flushed <- now:
	default:
	}
}

// Run evaluates the rules after each flush until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.flushed:
			if err := s.Evaluate(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "evaluate alerts", "err", err)
			}
		}
	}
}

// Evaluate checks every rule against its window and records (and hands
// to OnEvent) each rule that starts or stops being breached.
func (s *Service) Evaluate(ctx context.Context) error {
	rules, err := s.rules(ctx, `ORDER BY id`)
	if err != nil {
		return err
	}
	for _, r := range rules {
		from, to := window(s.cfg.Now(), r.Window)
		p, _, err := s.cfg.Usage.Summary(ctx, r.AppID, from, to)
		if err != nil {
			return fmt.Errorf("evaluate rule %d: %w", r.ID, err)
		}
		value, breached := Measure(r, &p)
		if breached == r.Firing {
			continue
		}
		ev, changed, err := s.transition(ctx, r, breached, value)
		if err != nil {
			return fmt.Errorf("evaluate rule %d: %w", r.ID, err)
		}
		if changed && s.cfg.OnEvent != nil {
			s.cfg.OnEvent(ctx, ev)
		}
	}
	return nil
}

// window is the current minute and the n-1 before it.
func window(now time.Time, n int) (from, to time.Time) {
	to = now.Truncate(time.Minute).Add(time.Minute)
	return to.Add(-time.Duration(n) * time.Minute), to
}

// Measure returns the rule's metric over the merged window p and whether
// the rule's condition holds.
func Measure(r Rule, p *usage.Period) (float64, bool) {
	switch r.Metric {
	case DeliveryRate:
		rate, ok := p.DeliveryRate()
		return rate * 100, ok && rate*100 < r.Threshold
	case P99:
		d, ok := p.Latency.Quantile(0.99)
		ms := float64(d) / float64(time.Millisecond)
		return ms, ok && ms > r.Threshold
	case ErrorRate:
		n := p.ErrorCount()
		if r.Code != "" {
			n = p.Errors[r.Code]
		}
		perMin := float64(n) / float64(r.Window)
		return perMin, perMin > r.Threshold
	case Connections:
		return float64(p.Conns), float64(p.Conns) > r.Threshold
	}
	return 0, false
}

// transition flips the rule's state and records the event, in one
// transaction that only succeeds if the state was still the old one (so
// two evaluators never both fire).
func (s *Service) transition(ctx context.Context, r Rule, firing bool, value float64) (Event, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Event{}, false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE alert_rules SET firing = ? WHERE id = ? AND firing = ?`, firing, r.ID, !firing)
	if err != nil {
		return Event{}, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Event{}, false, nil // deleted or changed meanwhile
	}
	ev := Event{RuleID: r.ID, AppID: r.AppID, Kind: KindResolved, Metric: r.Metric, Code: r.Code, Threshold: r.Threshold,
		Window: r.Window, Value: value, At: s.cfg.Now().UTC()}
	if firing {
		ev.Kind = KindFired
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO alert_events (rule_id, app_id, kind, metric, code, threshold, window_min, value, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.RuleID, ev.AppID, ev.Kind, ev.Metric, ev.Code, ev.Threshold, ev.Window, ev.Value, ev.At.UnixMilli())
	if err != nil {
		return Event{}, false, err
	}
	ev.ID, _ = res.LastInsertId()
	return ev, true, tx.Commit()
}
