package status

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// view is the roll-ups needed for a Summary, with the probes not yet
// rolled up added in memory.
type view struct {
	now      time.Time
	curMin   int64 // start of the current minute
	today    int64 // start of the current UTC day
	first24  int64 // first minute of Last24h
	firstDay int64 // first day of the 90-day bars
	agg      *aggregator
}

type txQuerier interface {
	querier
	rowQuerier
}

func loadView(ctx context.Context, tx txQuerier, now time.Time) (*view, error) {
	v := &view{now: now, curMin: minuteStart(now), today: dayStart(now)}
	v.first24 = v.curMin - 1439*60
	v.firstDay = v.today - (barDays-1)*86400
	v.agg = newAggregator(
		func(k key) (counts, error) { return loadMinuteRow(ctx, tx, k) },
		func(k key) (dayAgg, error) { return loadDayRow(ctx, tx, k) })
	rows, err := tx.QueryContext(ctx, `SELECT component, day, up_minutes, down_minutes, ok, failed, sent, expected, delivered, hist
		FROM status_days WHERE day >= ?`, v.firstDay)
	if err != nil {
		return nil, fmt.Errorf("load days: %w", err)
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var d dayAgg
		var k key
		var hist string
		if err := r.Scan(&k.comp, &k.t, &d.Up, &d.Down, &d.OK, &d.Failed, &d.Sent, &d.Expected, &d.Delivered, &hist); err != nil {
			return err
		}
		var err error
		d.Hist, err = decodeHistogram(hist)
		v.agg.days[k] = &d
		return err
	}); err != nil {
		return nil, fmt.Errorf("load days: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT component, minute, ok, failed, sent, expected, delivered, hist
		FROM status_minutes WHERE minute >= ?`, v.first24)
	if err != nil {
		return nil, fmt.Errorf("load minutes: %w", err)
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var c counts
		var k key
		var hist string
		if err := r.Scan(&k.comp, &k.t, &c.OK, &c.Failed, &c.Sent, &c.Expected, &c.Delivered, &hist); err != nil {
			return err
		}
		var err error
		c.Hist, err = decodeHistogram(hist)
		v.agg.minutes[k] = &c
		return err
	}); err != nil {
		return nil, fmt.Errorf("load minutes: %w", err)
	}
	pending, err := queryProbes(ctx, tx, `WHERE rolled = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load pending probes: %w", err)
	}
	for i := range pending {
		if err := v.agg.addProbe(&pending[i]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func scanRows(rows *sql.Rows, f func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// elapsedMinutes returns how many minutes of the day starting at day
// have begun by now (1,440 for past days, 0 for future ones).
func (v *view) elapsedMinutes(day int64) int64 {
	switch {
	case day > v.today:
		return 0
	case day == v.today:
		return (v.curMin-v.today)/60 + 1
	}
	return 1440
}

// component computes c's windows and day bars (State is left empty).
func (v *view) component(c Component) ComponentStatus {
	cs := ComponentStatus{Component: c}
	// Last 24 h from the minutes.
	var w24 counts
	var nUp, nDown int64
	for t := v.first24; t <= v.curMin; t += 60 {
		m, ok := v.agg.minutes[key{c, t}]
		if !ok {
			continue
		}
		switch m.class() {
		case up:
			nUp++
		case down:
			nDown++
		}
		w24.merge(m)
	}
	cs.Last24h = window(time.Unix(v.first24, 0), v.now, 1440, nUp, nDown, &w24)

	var w30, w90 counts
	var up30, down30, up90, down90, total30, total90 int64
	for i := range barDays {
		day := v.firstDay + int64(i)*86400
		elapsed := v.elapsedMinutes(day)
		bar := DayBar{Date: time.Unix(day, 0).UTC().Format(time.DateOnly)}
		if d, ok := v.agg.days[key{c, day}]; ok {
			bar.UpMinutes, bar.DownMinutes = d.Up, d.Down
			bar.ProbesOK, bar.ProbesFailed = d.OK, d.Failed
			w90.merge(&d.counts)
			if i >= barDays-30 {
				w30.merge(&d.counts)
			}
		}
		bar.NoDataMinutes = max(0, elapsed-bar.UpMinutes-bar.DownMinutes)
		bar.Availability = ratio(bar.UpMinutes, bar.UpMinutes+bar.DownMinutes)
		bar.Level = barLevel(bar.Availability)
		cs.Days = append(cs.Days, bar)
		up90, down90, total90 = up90+bar.UpMinutes, down90+bar.DownMinutes, total90+elapsed
		if i >= barDays-30 {
			up30, down30, total30 = up30+bar.UpMinutes, down30+bar.DownMinutes, total30+elapsed
		}
	}
	cs.Last30d = window(time.Unix(v.today-29*86400, 0), v.now, total30, up30, down30, &w30)
	cs.Last90d = window(time.Unix(v.firstDay, 0), v.now, total90, up90, down90, &w90)
	return cs
}

func window(from, to time.Time, total, up, down int64, c *counts) Window {
	w := Window{From: from.UTC(), To: to.UTC(), UpMinutes: up, DownMinutes: down, NoDataMinutes: max(0, total-up-down),
		Availability: ratio(up, up+down), ProbesOK: c.OK, ProbesFailed: c.Failed,
		Sent: c.Sent, Expected: c.Expected, Delivered: c.Delivered, DeliveryRate: ratio(c.Delivered, c.Expected),
		LatencySamples: c.Hist.Count()}
	if d, ok := c.Hist.Quantile(0.50); ok {
		w.P50Ms = ptr(ms(d))
	}
	if d, ok := c.Hist.Quantile(0.99); ok {
		w.P99Ms = ptr(ms(d))
	}
	return w
}

func barLevel(avail *float64) BarLevel {
	switch {
	case avail == nil:
		return BarNoData
	case *avail == 1:
		return BarUp
	case *avail >= 0.99:
		return BarDegraded
	}
	return BarDown
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	return ptr(float64(a) / float64(b))
}

func ptr[T any](v T) *T { return &v }
