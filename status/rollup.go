package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
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

// Rollup adds the probes not yet rolled up to the per-minute and per-day
// roll-ups, then applies the retention limits relative to now: raw probes
// and node probes older than RawRetention, minutes of UTC days older than
// MinuteRetention and days and gaps older than DayRetention are deleted. It is idempotent
// and safe to call at any time; Run calls it every Config.RollupEvery.
//
// A probe is rolled up once its span is final (see span): the latest probe
// waits until the next one starts or Interval has passed. Spans never
// overlap: a probe stored late, after a later one was rolled up, adds its
// counts but only the time after the rolled-up spans.
func (m *Monitor) Rollup(ctx context.Context, now time.Time) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	defer tx.Rollback()
	pending, err := queryProbes(ctx, tx, `WHERE rolled = 0 ORDER BY at, id`)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	through, err := metaInt(ctx, tx, metaSpannedThrough)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	agg := newAggregator(
		func(k key) (counts, error) { return loadMinuteRow(ctx, tx, k) },
		func(k key) (counts, error) { return loadDayRow(ctx, tx, k) })
	n, through, err := agg.addProbes(pending, through, now, m.cfg.Interval, true)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	for k := range agg.touchedM {
		c := agg.minutes[k]
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO status_minutes
			(component, minute, `+countColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(k.comp), k.t, c.UpMs, c.DownMs, c.OK, c.Failed, c.Sent, c.Expected, c.Delivered, c.Hist.Encode()); err != nil {
			return fmt.Errorf("rollup: store minute: %w", err)
		}
	}
	for k := range agg.touchedD {
		d := agg.days[k]
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO status_days
			(component, day, `+countColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(k.comp), k.t, d.UpMs, d.DownMs, d.OK, d.Failed, d.Sent, d.Expected, d.Delivered, d.Hist.Encode()); err != nil {
			return fmt.Errorf("rollup: store day: %w", err)
		}
	}
	for _, p := range pending[:n] {
		if _, err := tx.ExecContext(ctx, `UPDATE status_probes SET rolled = 1 WHERE id = ?`, p.ID); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaSpannedThrough, strconv.FormatInt(through, 10)); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	today := dayStart(now)
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM status_probes WHERE rolled = 1 AND at < ?`, now.Add(-RawRetention).UnixMilli()},
		{`DELETE FROM status_node_probes WHERE at < ?`, now.Add(-RawRetention).UnixMilli()},
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

// metaSpannedThrough is the end (Unix ms) of the last rolled-up probe span.
const metaSpannedThrough = "spanned_through"

// metaInt reads an integer from status_meta; 0 when it is not set.
func metaInt(ctx context.Context, q rowQuerier, key string) (int64, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM status_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read status_meta %s: %w", key, err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read status_meta %s: %w", key, err)
	}
	return n, nil
}
