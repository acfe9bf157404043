package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// counts are the sums kept per component and minute or day.
type counts struct {
	OK, Failed                int64 // probes
	Sent, Expected, Delivered int64 // messages (messaging only)
	Hist                      Histogram
}

func (c *counts) merge(o *counts) {
	c.OK += o.OK
	c.Failed += o.Failed
	c.Sent += o.Sent
	c.Expected += o.Expected
	c.Delivered += o.Delivered
	c.Hist.Merge(&o.Hist)
}

// minuteClass is how a minute counts for availability.
type minuteClass int

const (
	noData minuteClass = iota // no probe started in the minute
	up                        // every probe in the minute succeeded
	down                      // at least one probe in the minute failed
)

func (c *counts) class() minuteClass {
	switch {
	case c.Failed > 0:
		return down
	case c.OK > 0:
		return up
	}
	return noData
}

// dayAgg is a day's roll-up: minutes up and down plus the day's sums.
type dayAgg struct {
	Up, Down int64
	counts
}

// key names a component's minute or day by its start in Unix seconds (UTC).
type key struct {
	comp Component
	t    int64
}

func minuteStart(t time.Time) int64 { u := t.Unix(); return u - mod(u, 60) }
func dayStart(t time.Time) int64    { u := t.Unix(); return u - mod(u, 86400) }
func mod(a, b int64) int64          { return ((a % b) + b) % b }

// aggregator adds probes into minute and day roll-ups. Rows it has not
// seen are fetched with the load functions, so that adding a probe to a
// minute that already has data moves that minute between up and down in
// its day correctly.
type aggregator struct {
	minutes  map[key]*counts
	days     map[key]*dayAgg
	loadMin  func(key) (counts, error)
	loadDay  func(key) (dayAgg, error)
	touchedM map[key]bool
	touchedD map[key]bool
}

func newAggregator(loadMin func(key) (counts, error), loadDay func(key) (dayAgg, error)) *aggregator {
	return &aggregator{minutes: map[key]*counts{}, days: map[key]*dayAgg{}, loadMin: loadMin, loadDay: loadDay,
		touchedM: map[key]bool{}, touchedD: map[key]bool{}}
}

func (a *aggregator) minute(k key) (*counts, error) {
	if c, ok := a.minutes[k]; ok {
		return c, nil
	}
	c, err := a.loadMin(k)
	if err != nil {
		return nil, err
	}
	a.minutes[k] = &c
	return &c, nil
}

func (a *aggregator) day(k key) (*dayAgg, error) {
	if d, ok := a.days[k]; ok {
		return d, nil
	}
	d, err := a.loadDay(k)
	if err != nil {
		return nil, err
	}
	a.days[k] = &d
	return &d, nil
}

// addProbe adds one probe to every component it measured.
func (a *aggregator) addProbe(p *Probe) error {
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
		if err := a.add(c, p.At, &d); err != nil {
			return err
		}
	}
	return nil
}

func (a *aggregator) add(c Component, at time.Time, d *counts) error {
	mk, dk := key{c, minuteStart(at)}, key{c, dayStart(at)}
	m, err := a.minute(mk)
	if err != nil {
		return err
	}
	day, err := a.day(dk)
	if err != nil {
		return err
	}
	before := m.class()
	m.merge(d)
	after := m.class()
	day.counts.merge(d)
	if before != after {
		switch before {
		case up:
			day.Up--
		case down:
			day.Down--
		}
		switch after {
		case up:
			day.Up++
		case down:
			day.Down++
		}
	}
	a.touchedM[mk], a.touchedD[dk] = true, true
	return nil
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadMinuteRow(ctx context.Context, q rowQuerier, k key) (counts, error) {
	var c counts
	var hist string
	err := q.QueryRowContext(ctx, `SELECT ok, failed, sent, expected, delivered, hist FROM status_minutes
		WHERE component = ? AND minute = ?`, string(k.comp), k.t).Scan(&c.OK, &c.Failed, &c.Sent, &c.Expected, &c.Delivered, &hist)
	if errors.Is(err, sql.ErrNoRows) {
		return counts{}, nil
	}
	if err != nil {
		return c, fmt.Errorf("load minute: %w", err)
	}
	c.Hist, err = decodeHistogram(hist)
	return c, err
}

func loadDayRow(ctx context.Context, q rowQuerier, k key) (dayAgg, error) {
	var d dayAgg
	var hist string
	err := q.QueryRowContext(ctx, `SELECT up_minutes, down_minutes, ok, failed, sent, expected, delivered, hist FROM status_days
		WHERE component = ? AND day = ?`, string(k.comp), k.t).Scan(&d.Up, &d.Down, &d.OK, &d.Failed, &d.Sent, &d.Expected, &d.Delivered, &hist)
	if errors.Is(err, sql.ErrNoRows) {
		return dayAgg{}, nil
	}
	if err != nil {
		return d, fmt.Errorf("load day: %w", err)
	}
	d.Hist, err = decodeHistogram(hist)
	return d, err
}
