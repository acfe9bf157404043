package status

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Gap is a period in which nothing was measured because the prober was
// not running, usually because the whole server was down. Its minutes
// count as no data, never as up or down.
type Gap struct {
	Start time.Time `json:"start"` // when the next probe was due
	End   time.Time `json:"end"`   // when the prober started again
	// Seconds is End - Start in whole seconds.
	Seconds int64 `json:"seconds"`
}

const metaGapThrough = "gap_checked_through" // Unix ms; gaps are recorded up to here

// CheckGap is called at start-up (Run does it). If the last stored probe
// started more than 2 × Interval before now, the time from when the next
// probe was due (last probe + Interval) until now is recorded as a Gap and
// returned with true. A database without any probe has no gap: monitoring
// has not begun. Calling it again records only time not yet recorded.
func (m *Monitor) CheckGap(ctx context.Context) (Gap, bool, error) {
	lastS, err := m.meta(ctx, metaLastProbe)
	if err != nil || lastS == "" {
		return Gap{}, false, err
	}
	last, err := strconv.ParseInt(lastS, 10, 64)
	if err != nil {
		return Gap{}, false, fmt.Errorf("check gap: bad %s %q: %w", metaLastProbe, lastS, err)
	}
	now := m.now().UTC()
	if now.Sub(time.UnixMilli(last)) <= 2*m.cfg.Interval {
		return Gap{}, false, nil
	}
	start := time.UnixMilli(last).Add(m.cfg.Interval)
	if s, err := m.meta(ctx, metaGapThrough); err != nil {
		return Gap{}, false, err
	} else if s != "" {
		through, err := strconv.ParseInt(s, 10, 64)
		if err == nil && time.UnixMilli(through).After(start) {
			start = time.UnixMilli(through)
		}
	}
	if !now.After(start) {
		return Gap{}, false, nil
	}
	g := Gap{Start: start.UTC(), End: now, Seconds: int64(now.Sub(start) / time.Second)}
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return Gap{}, false, fmt.Errorf("record gap: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_gaps (start_at, end_at) VALUES (?, ?)`, g.Start.UnixMilli(), g.End.UnixMilli()); err != nil {
		return Gap{}, false, fmt.Errorf("record gap: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaGapThrough, strconv.FormatInt(g.End.UnixMilli(), 10)); err != nil {
		return Gap{}, false, fmt.Errorf("record gap: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Gap{}, false, fmt.Errorf("record gap: %w", err)
	}
	m.log.WarnContext(ctx, "status: no measurements while the prober was not running", "from", g.Start, "to", g.End)
	return g, true, nil
}

// Gaps returns the recorded gaps that overlap [from, to], oldest first.
func (m *Monitor) Gaps(ctx context.Context, from, to time.Time) ([]Gap, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT start_at, end_at FROM status_gaps
		WHERE end_at >= ? AND start_at <= ? ORDER BY start_at`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("gaps: %w", err)
	}
	defer rows.Close()
	var gs []Gap
	for rows.Next() {
		var s, e int64
		if err := rows.Scan(&s, &e); err != nil {
			return nil, fmt.Errorf("gaps: %w", err)
		}
		g := Gap{Start: time.UnixMilli(s).UTC(), End: time.UnixMilli(e).UTC()}
		g.Seconds = int64(g.End.Sub(g.Start) / time.Second)
		gs = append(gs, g)
	}
	return gs, rows.Err()
}
