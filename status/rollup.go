package status

import (
	"context"
	"fmt"
	"time"
)

// Retention of stored measurements. Together they bound the storage: at
// the default interval about 17,300 raw probes, 6 × 43,200 minute rows and
// 6 × 400 day rows.
const (
	// RawRetention: raw probes are deleted this long after they started
	// (once rolled up).
	RawRetention = 48 * time.Hour
	// MinuteRetention: per-minute roll-ups are deleted after 30 whole UTC
	// days; they are already counted in the per-day roll-ups.
	MinuteRetention = 30 * 24 * time.Hour
	// DayRetention: per-day roll-ups and gap records are deleted after 400
	// days (the figures need 90).
	DayRetention = 400 * 24 * time.Hour
)

// Rollup adds every probe not yet rolled up to the per-minute and per-day
// roll-ups, then applies the retention limits relative to now: raw probes
// older than RawRetention, minutes of UTC days older than MinuteRetention
// and days and gaps older than DayRetention are deleted. It is idempotent
// and safe to call at any time; Run calls it every Config.RollupEvery.
//
// A probe stored after its minute was rolled up is added to the same
// minute and day rows, moving the minute from up to down if it failed.
func (m *Monitor) Rollup(ctx context.Context, now time.Time) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	defer tx.Rollback()
	pending, err := queryProbes(ctx, tx, `WHERE rolled = 0 ORDER BY id`)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	agg := newAggregator(
		func(k key) (counts, error) { return loadMinuteRow(ctx, tx, k) },
		func(k key) (dayAgg, error) { return loadDayRow(ctx, tx, k) })
	var maxID int64
	for i := range pending {
		if err := agg.addProbe(&pending[i]); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
		maxID = max(maxID, pending[i].ID)
	}
	for k := range agg.touchedM {
		c := agg.minutes[k]
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO status_minutes
			(component, minute, ok, failed, sent, expected, delivered, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			string(k.comp), k.t, c.OK, c.Failed, c.Sent, c.Expected, c.Delivered, c.Hist.encode()); err != nil {
			return fmt.Errorf("rollup: store minute: %w", err)
		}
	}
	for k := range agg.touchedD {
		d := agg.days[k]
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO status_days
			(component, day, up_minutes, down_minutes, ok, failed, sent, expected, delivered, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(k.comp), k.t, d.Up, d.Down, d.OK, d.Failed, d.Sent, d.Expected, d.Delivered, d.Hist.encode()); err != nil {
			return fmt.Errorf("rollup: store day: %w", err)
		}
	}
	if maxID > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE status_probes SET rolled = 1 WHERE rolled = 0 AND id <= ?`, maxID); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	today := dayStart(now)
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM status_probes WHERE rolled = 1 AND at < ?`, now.Add(-RawRetention).UnixMilli()},
		{`DELETE FROM status_minutes WHERE minute < ?`, today - int64(MinuteRetention/time.Second)},
		{`DELETE FROM status_days WHERE day < ?`, today - int64(DayRetention/time.Second)},
		{`DELETE FROM status_gaps WHERE end_at < ?`, now.Add(-DayRetention).UnixMilli()},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("rollup: retention: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	return nil
}
