package status

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"
)

// view is the roll-ups needed for a Summary, with the probes not yet
// rolled up added in memory, and the incidents that mark them.
type view struct {
	now        time.Time
	nowMs      int64
	curMin     int64 // start of the current minute
	today      int64 // start of the current UTC day
	first24    int64 // first minute of Last24h
	firstDay   int64 // first day of the 90-day bars
	minuteDays int64 // first day whose minutes are surely kept (the 30 d window)
	agg        *aggregator
	impacts    map[Component]*impact
}

type txQuerier interface {
	querier
	rowQuerier
}

func loadView(ctx context.Context, tx txQuerier, now time.Time, probeInterval time.Duration) (*view, error) {
	v := &view{now: now, nowMs: now.UnixMilli(), curMin: minuteStart(now), today: dayStart(now)}
	v.first24 = v.curMin - 1439*60
	v.firstDay = v.today - (barDays-1)*86400
	v.minuteDays = v.today - 29*86400
	v.agg = newAggregator(
		func(k key) (counts, error) { return loadMinuteRow(ctx, tx, k) },
		func(k key) (counts, error) { return loadDayRow(ctx, tx, k) })
	if err := loadRows(ctx, tx, v.agg.days, "status_days", "day", "day >= ?", v.firstDay); err != nil {
		return nil, err
	}
	if err := loadRows(ctx, tx, v.agg.minutes, "status_minutes", "minute", "minute >= ?", v.first24); err != nil {
		return nil, err
	}
	pending, err := queryProbes(ctx, tx, `WHERE rolled = 0 ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("load pending probes: %w", err)
	}
	through, err := metaInt(ctx, tx, metaSpannedThrough)
	if err != nil {
		return nil, err
	}
	if _, _, err := v.agg.addProbes(pending, through, now, probeInterval, false); err != nil {
		return nil, err
	}
	if v.impacts, err = loadImpacts(ctx, tx, v.firstDay*1000, v.nowMs); err != nil {
		return nil, err
	}
	// The minutes under incidents, beyond the last 24 hours.
	seen := map[interval]bool{}
	for _, imp := range v.impacts {
		for _, iv := range append(append([]interval(nil), imp.down...), imp.degraded...) {
			iv.from = max(iv.from, v.minuteDays*1000)
			iv.to = min(iv.to, v.first24*1000)
			if iv.to <= iv.from || seen[iv] {
				continue
			}
			seen[iv] = true
			if err := loadRows(ctx, tx, v.agg.minutes, "status_minutes", "minute", "minute >= ? AND minute < ?",
				iv.from/60000*60, iv.to/1000); err != nil {
				return nil, err
			}
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

// elapsedMs returns how much of the day starting at day (Unix s) has
// passed by now, in milliseconds.
func (v *view) elapsedMs(day int64) int64 {
	return max(0, min(86400_000, v.nowMs-day*1000))
}

// tally adds up measured and incident time in milliseconds.
type tally struct{ up, degraded, down float64 }

func (t *tally) addCounts(c *counts) { t.up += float64(c.UpMs); t.down += float64(c.DownMs) }
func (t *tally) addDelta(d *delta) {
	t.up, t.degraded, t.down = max(0, t.up+d.up), t.degraded+d.degraded, t.down+d.down
}

// clamp keeps the total within n ms, taking any excess from up time first
// (it can only arise where a day's minutes were not kept).
func (t *tally) clamp(n float64) {
	if x := t.up + t.degraded + t.down - n; x > 0 {
		cut := min(t.up, x)
		t.up, t.degraded = t.up-cut, max(0, t.degraded-(x-cut))
	}
}

func (t *tally) merge(o tally) { t.up += o.up; t.degraded += o.degraded; t.down += o.down }

// component computes c's windows and day bars (State is left empty).
func (v *view) component(c Component) ComponentStatus {
	cs := ComponentStatus{Component: c}
	var minDelta, dayDelta map[int64]*delta
	var marks map[int64]*dayMark
	if imp := v.impacts[c]; imp != nil {
		minDelta, dayDelta = v.applyImpacts(c, imp)
		marks = dayMarks(imp)
	}
	// Last 24 h from the minutes.
	var w24 counts
	var t24 tally
	for t := v.first24; t <= v.curMin; t += 60 {
		if m, ok := v.agg.minutes[key{c, t}]; ok {
			w24.merge(m)
			t24.addCounts(m)
		}
		if d := minDelta[t]; d != nil {
			t24.addDelta(d)
		}
	}
	cs.Last24h = window(time.Unix(v.first24, 0), v.now, t24, &w24)

	var w30, w90 counts
	var t30, t90 tally
	for i := range barDays {
		day := v.firstDay + int64(i)*86400
		bar := DayBar{Date: time.Unix(day, 0).UTC().Format(time.DateOnly), Incidents: []int64{}}
		var t tally
		if d, ok := v.agg.days[key{c, day}]; ok {
			t.addCounts(d)
			bar.ProbesOK, bar.ProbesFailed = d.OK, d.Failed
			w90.merge(d)
			if i >= barDays-30 {
				w30.merge(d)
			}
		}
		if d := dayDelta[day]; d != nil {
			t.addDelta(d)
		}
		elapsed := float64(v.elapsedMs(day))
		t.clamp(elapsed)
		bar.Seconds = elapsed / 1000
		bar.UpSeconds, bar.DegradedSeconds, bar.DownSeconds = secs(t.up), secs(t.degraded), secs(t.down)
		bar.NoDataSeconds = secs(max(0, elapsed-t.up-t.degraded-t.down))
		bar.Availability = availability(t)
		var m dayMark
		if dm := marks[day]; dm != nil {
			m = *dm
			bar.Incidents = m.ids
		}
		bar.Level = barLevel(bar.Availability, m)
		cs.Days = append(cs.Days, bar)
		t90.merge(t)
		if i >= barDays-30 {
			t30.merge(t)
		}
	}
	cs.Last30d = window(time.Unix(v.today-29*86400, 0), v.now, t30, &w30)
	cs.Last90d = window(time.Unix(v.firstDay, 0), v.now, t90, &w90)
	return cs
}

func window(from, to time.Time, t tally, c *counts) Window {
	length := float64(to.Sub(from).Milliseconds())
	w := Window{From: from.UTC(), To: to.UTC(), Seconds: secs(length),
		UpSeconds: secs(t.up), DegradedSeconds: secs(t.degraded), DownSeconds: secs(t.down),
		NoDataSeconds: secs(max(0, length-t.up-t.degraded-t.down)),
		ProbedSeconds: secs(float64(c.UpMs + c.DownMs)),
		Availability:  availability(t), ProbesOK: c.OK, ProbesFailed: c.Failed,
		Sent: c.Sent, Expected: c.Expected, Delivered: c.Delivered, DeliveryRate: ratio(c.Delivered, c.Expected),
		LatencySamples: c.Hist.Count()}
	if length > 0 {
		w.Coverage = min(1, (t.up+t.degraded+t.down)/length)
	}
	if d, ok := c.Hist.Quantile(0.50); ok {
		w.P50Ms = ptr(ms(d))
	}
	if d, ok := c.Hist.Quantile(0.99); ok {
		w.P99Ms = ptr(ms(d))
	}
	return w
}

// availability = (up + degraded) / (up + degraded + down); nil without
// any of them.
func availability(t tally) *float64 {
	total := t.up + t.degraded + t.down
	if total <= 0 {
		return nil
	}
	return ptr((t.up + t.degraded) / total)
}

// secs turns milliseconds into seconds, to the millisecond.
func secs(ms float64) float64 { return float64(int64(ms+0.5)) / 1000 }

func barLevel(avail *float64, m dayMark) BarLevel {
	switch {
	case m.down:
		return BarDown
	case avail == nil && !m.degraded:
		return BarNoData
	case avail != nil && *avail < 0.99:
		return BarDown
	case m.degraded || *avail < 1:
		return BarDegraded
	}
	return BarUp
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	return ptr(float64(a) / float64(b))
}

func ptr[T any](v T) *T { return &v }

func cmpInterval(a, b interval) int { return cmp.Compare(a.from, b.from) }
