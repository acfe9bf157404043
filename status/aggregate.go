package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// counts are the sums kept per component and minute or day.
type counts struct {
	// UpMs and DownMs are the measured time in milliseconds: the parts of
	// probe spans (see span) that fell in this minute or day, split by the
	// probe's outcome. The rest of the minute or day is no data.
	UpMs, DownMs              int64
	OK, Failed                int64 // probes started in the minute or day
	Sent, Expected, Delivered int64 // messages (messaging only)
	Hist                      Histogram
}

func (c *counts) merge(o *counts) {
	c.UpMs += o.UpMs
	c.DownMs += o.DownMs
	c.OK += o.OK
	c.Failed += o.Failed
	c.Sent += o.Sent
	c.Expected += o.Expected
	c.Delivered += o.Delivered
	c.Hist.Merge(&o.Hist)
}

// key names a component's minute or day by its start in Unix seconds (UTC).
type key struct {
	comp Component
	t    int64
}

func minuteStart(t time.Time) int64 { u := t.Unix(); return u - mod(u, 60) }
func dayStart(t time.Time) int64    { u := t.Unix(); return u - mod(u, 86400) }
func mod(a, b int64) int64          { return ((a % b) + b) % b }

// span returns the time one probe stands for, in Unix milliseconds: from
// its start (or the end of the previous probe's span, if that is later)
// until interval later, or until the next probe starts if that is sooner,
// and never beyond now. nextAt < 0 means there is no next probe yet. The
// span is empty (to <= from) when the previous span already covers it.
// final reports whether the span can no longer change: a next probe
// exists, or the whole interval has passed by now.
func span(at, prevEnd, nextAt, now, interval int64) (from, to int64, final bool) {
	from, to = max(at, prevEnd), at+interval
	final = nextAt >= 0 || to <= now
	if nextAt >= 0 {
		to = min(to, nextAt)
	}
	return from, min(to, now), final
}

// aggregator adds probes into minute and day roll-ups. Rows it has not
// seen are fetched with the load functions, so that a probe added to a
// minute that already has data adds to that row.
type aggregator struct {
	minutes  map[key]*counts
	days     map[key]*counts
	loadMin  func(key) (counts, error)
	loadDay  func(key) (counts, error)
	touchedM map[key]bool
	touchedD map[key]bool
}

func newAggregator(loadMin, loadDay func(key) (counts, error)) *aggregator {
	return &aggregator{minutes: map[key]*counts{}, days: map[key]*counts{}, loadMin: loadMin, loadDay: loadDay,
		touchedM: map[key]bool{}, touchedD: map[key]bool{}}
}

func (a *aggregator) row(rows map[key]*counts, load func(key) (counts, error), touched map[key]bool, k key) (*counts, error) {
	touched[k] = true
	if c, ok := rows[k]; ok {
		return c, nil
	}
	c, err := load(k)
	if err != nil {
		return nil, err
	}
	rows[k] = &c
	return &c, nil
}

// addProbe adds one probe to every component it measured: its counts to
// the minute and day it started in, and its span [from, to) (Unix ms) to
// the minutes and days the span crosses, as up time if the component
// succeeded and down time if it failed.
func (a *aggregator) addProbe(p *Probe, from, to int64) error {
	for _, c := range allComponents {
		o := p.componentOutcome(c)
		if o == Skipped {
			continue
		}
		var d counts
		if o == OK {
			d.OK = 1
		} else {
			d.Failed = 1
		}
		switch c {
		case ComponentConnect:
			if o == OK {
				d.Hist.Add(p.ConnectTime)
			}
		case ComponentMessaging:
			d.Sent, d.Expected, d.Delivered = int64(p.Sent), int64(p.Expected), int64(p.Delivered)
			for _, l := range p.Latencies {
				d.Hist.Add(l)
			}
		case ComponentHTTP:
			if o == OK {
				d.Hist.Add(p.HTTPTime)
			}
		}
		if err := a.add(c, p.At.Unix(), &d); err != nil {
			return err
		}
		for t := from; t < to; {
			end := min(to, (t/60000+1)*60000) // the end of t's minute
			seg := counts{UpMs: end - t}
			if o == Failed {
				seg = counts{DownMs: end - t}
			}
			if err := a.add(c, t/1000, &seg); err != nil {
				return err
			}
			t = end
		}
	}
	return nil
}

// add merges d into the minute and day of component c that contain the
// Unix second sec.
func (a *aggregator) add(c Component, sec int64, d *counts) error {
	m, err := a.row(a.minutes, a.loadMin, a.touchedM, key{c, sec - mod(sec, 60)})
	if err != nil {
		return err
	}
	day, err := a.row(a.days, a.loadDay, a.touchedD, key{c, sec - mod(sec, 86400)})
	if err != nil {
		return err
	}
	m.merge(d)
	day.merge(d)
	return nil
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const countColumns = `up_ms, down_ms, ok, failed, sent, expected, delivered, hist`

func (c *counts) scanArgs(hist *string) []any {
	return []any{&c.UpMs, &c.DownMs, &c.OK, &c.Failed, &c.Sent, &c.Expected, &c.Delivered, hist}
}

func loadRow(ctx context.Context, q rowQuerier, table, col string, k key) (counts, error) {
	var c counts
	var hist string
	err := q.QueryRowContext(ctx, `SELECT `+countColumns+` FROM `+table+` WHERE component = ? AND `+col+` = ?`,
		string(k.comp), k.t).Scan(c.scanArgs(&hist)...)
	if errors.Is(err, sql.ErrNoRows) {
		return counts{}, nil
	}
	if err != nil {
		return c, fmt.Errorf("load %s: %w", table, err)
	}
	c.Hist, err = histogram.Decode(hist)
	return c, err
}

func loadMinuteRow(ctx context.Context, q rowQuerier, k key) (counts, error) {
	return loadRow(ctx, q, "status_minutes", "minute", k)
}

func loadDayRow(ctx context.Context, q rowQuerier, k key) (counts, error) {
	return loadRow(ctx, q, "status_days", "day", k)
}

// loadRows reads the rows of table ("status_minutes" or "status_days",
// keyed by col "minute" or "day") that match where into dst, leaving keys
// dst already has alone.
func loadRows(ctx context.Context, q querier, dst map[key]*counts, table, col, where string, args ...any) error {
	rows, err := q.QueryContext(ctx, `SELECT component, `+col+`, `+countColumns+` FROM `+table+` WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c counts
		var k key
		var hist string
		if err := rows.Scan(append([]any{&k.comp, &k.t}, c.scanArgs(&hist)...)...); err != nil {
			return fmt.Errorf("load %s: %w", table, err)
		}
		if c.Hist, err = histogram.Decode(hist); err != nil {
			return fmt.Errorf("load %s: %w", table, err)
		}
		if _, ok := dst[k]; !ok {
			dst[k] = &c
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	return nil
}

// addProbes adds ps, sorted by start, each with its span (see span); the
// first span starts no earlier than prevEnd (Unix ms). With onlyFinal it
// stops before the first probe whose span can still change (Rollup keeps
// that one for later); otherwise it adds them all, spans cut at now (the
// Summary's view). It returns how many it added and the end of the last
// span.
func (a *aggregator) addProbes(ps []Probe, prevEnd int64, now time.Time, interval time.Duration, onlyFinal bool) (int, int64, error) {
	nowMs, iv := now.UnixMilli(), interval.Milliseconds()
	for i := range ps {
		next := int64(-1)
		if i+1 < len(ps) {
			next = ps[i+1].At.UnixMilli()
		}
		from, to, final := span(ps[i].At.UnixMilli(), prevEnd, next, nowMs, iv)
		if onlyFinal && !final {
			return i, prevEnd, nil
		}
		if err := a.addProbe(&ps[i], from, to); err != nil {
			return i, prevEnd, err
		}
		prevEnd = max(prevEnd, to)
	}
	return len(ps), prevEnd, nil
}
