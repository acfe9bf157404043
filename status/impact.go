package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// How incidents count in the figures, as statuspage.io counts a
// component's status: from an incident's start until its resolution (or
// now, while it is open), every component it names, and the engine and
// overall components built from them, are
//
//   - down for a major or critical incident (statuspage.io's "major
//     outage"), whatever the probes measured, and also where nothing was
//     measured;
//   - degraded for a minor one ("degraded performance"): measured up time
//     counts as degraded, which is still available; measured down time stays
//     down and unmeasured time stays no data.
//
// A day touched by a major or critical incident shows as down, one touched
// by a minor incident at least as degraded.

// interval is [from, to) in Unix milliseconds.
type interval struct{ from, to int64 }

// incidentMark is one incident's time on one component.
type incidentMark struct {
	id   int64
	down bool // major or critical
	iv   interval
}

// impact is how incidents mark one component: merged down intervals, and
// merged degraded intervals outside them, both sorted.
type impact struct {
	marks          []incidentMark
	down, degraded []interval
}

// delta is what incidents change in a minute or day, in milliseconds.
type delta struct{ up, degraded, down float64 }

func (d *delta) add(o delta) { d.up += o.up; d.degraded += o.degraded; d.down += o.down }

// dayMark says which incidents touched a component's day.
type dayMark struct {
	down, degraded bool
	ids            []int64
}

// loadImpacts reads the incidents that overlap [from, now] (Unix ms) and
// returns their marks per component, derived components included.
func loadImpacts(ctx context.Context, q querier, from, now int64) (map[Component]*impact, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, severity, components, started_at, resolved_at FROM status_incidents
		WHERE started_at < ? AND (resolved_at IS NULL OR resolved_at > ?) ORDER BY started_at, id`, now, from)
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	imps := map[Component]*impact{}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var id, started int64
		var sev Severity
		var compsJSON string
		var resolved sql.NullInt64
		if err := r.Scan(&id, &sev, &compsJSON, &started, &resolved); err != nil {
			return err
		}
		var comps []Component
		if err := json.Unmarshal([]byte(compsJSON), &comps); err != nil {
			return fmt.Errorf("incident %d components: %w", id, err)
		}
		end := now
		if resolved.Valid {
			end = min(end, resolved.Int64)
		}
		m := incidentMark{id: id, down: sev != SeverityMinor, iv: interval{max(started, from), end}}
		if m.iv.to <= m.iv.from {
			return nil
		}
		for _, c := range affected(comps) {
			if imps[c] == nil {
				imps[c] = &impact{}
			}
			imps[c].marks = append(imps[c].marks, m)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	for _, imp := range imps {
		var down, degraded []interval
		for _, m := range imp.marks {
			if m.down {
				down = append(down, m.iv)
			} else {
				degraded = append(degraded, m.iv)
			}
		}
		imp.down = merge(down)
		imp.degraded = subtract(merge(degraded), imp.down)
	}
	return imps, nil
}

// affected adds to an incident's components the derived ones they are
// part of.
func affected(comps []Component) []Component {
	out := slices.Clone(comps)
	for _, c := range comps {
		if c == ComponentConnect || c == ComponentMessaging || c == ComponentPeer {
			out = append(out, ComponentEngine)
			break
		}
	}
	if len(comps) > 0 {
		out = append(out, ComponentOverall)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// merge sorts intervals and joins those that overlap or touch.
func merge(ivs []interval) []interval {
	slices.SortFunc(ivs, cmpInterval)
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, iv.to)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtract returns the parts of a (merged) outside b (merged).
func subtract(a, b []interval) []interval {
	var out []interval
	for _, iv := range a {
		from := iv.from
		for _, cut := range b {
			if cut.to <= from || cut.from >= iv.to {
				continue
			}
			if cut.from > from {
				out = append(out, interval{from, cut.from})
			}
			from = max(from, cut.to)
		}
		if from < iv.to {
			out = append(out, interval{from, iv.to})
		}
	}
	return out
}

// applyImpacts computes what the incidents change in c's minutes (those
// kept, see minuteDays) and days. Where an incident covers part of a
// minute (or of a day whose minutes are no longer kept) the row does not
// say when its measured time lay, so the incident is taken to cover the
// measured up time first: a figure never reads better than it was.
func (v *view) applyImpacts(c Component, imp *impact) (minutes, days map[int64]*delta) {
	minutes, days = map[int64]*delta{}, map[int64]*delta{}
	at := func(m map[int64]*delta, t int64) *delta {
		if m[t] == nil {
			m[t] = &delta{}
		}
		return m[t]
	}
	// left is the measured time of each row not yet under an incident.
	left := map[key]*tally{}
	// one returns the change over ov ms of the row k (of rows).
	one := func(rows map[key]*counts, k key, ov float64, down bool) delta {
		l := left[k]
		if l == nil {
			l = &tally{}
			if r := rows[k]; r != nil {
				l.addCounts(r)
			}
			left[k] = l
		}
		upIn := min(l.up, ov)
		downIn := min(l.down, ov-upIn)
		l.up, l.down = l.up-upIn, l.down-downIn
		if down {
			return delta{up: -upIn, down: ov - downIn}
		}
		return delta{up: -upIn, degraded: upIn}
	}
	mark := func(iv interval, down bool) {
		for day := iv.from / 1000 / 86400 * 86400; day*1000 < iv.to; day += 86400 {
			from, to := max(iv.from, day*1000), min(iv.to, (day+86400)*1000)
			if day < v.minuteDays {
				at(days, day).add(one(v.agg.days, key{c, day}, float64(to-from), down))
				continue
			}
			for m := from / 60000 * 60000; m < to; m += 60000 {
				d := one(v.agg.minutes, key{c, m / 1000}, float64(min(to, m+60000)-max(from, m)), down)
				at(minutes, m/1000).add(d)
				at(days, day).add(d)
			}
		}
	}
	for _, iv := range imp.down {
		mark(iv, true)
	}
	for _, iv := range imp.degraded {
		mark(iv, false)
	}
	return minutes, days
}

// dayMarks returns, per day start (Unix s), which of imp's incidents
// touched it.
func dayMarks(imp *impact) map[int64]*dayMark {
	out := map[int64]*dayMark{}
	for _, m := range imp.marks {
		for day := m.iv.from / 1000 / 86400 * 86400; day*1000 < m.iv.to; day += 86400 {
			dm := out[day]
			if dm == nil {
				dm = &dayMark{}
				out[day] = dm
			}
			if m.down {
				dm.down = true
			} else {
				dm.degraded = true
			}
			if !slices.Contains(dm.ids, m.id) {
				dm.ids = append(dm.ids, m.id)
			}
		}
	}
	return out
}
