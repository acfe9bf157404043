package status

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// Window holds one component's figures over a time window. Time is
// measured in seconds (to the millisecond): each probe stands for the
// time until the next probe starts, at most Config.Interval (see the
// package documentation), and incidents mark the time they cover.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Seconds is the window's length, To - From.
	Seconds float64 `json:"seconds"`
	// UpSeconds: measured up. DegradedSeconds: measured up during a minor
	// incident. DownSeconds: measured down, or inside a major or critical
	// incident. NoDataSeconds: the rest, in which nothing was measured
	// (server or prober down, or before monitoring began). The four add
	// up to Seconds.
	UpSeconds       float64 `json:"up_seconds"`
	DegradedSeconds float64 `json:"degraded_seconds"`
	DownSeconds     float64 `json:"down_seconds"`
	NoDataSeconds   float64 `json:"no_data_seconds"`
	// Coverage = (up + degraded + down) / Seconds: the share of the window
	// with a judgement, in [0, 1].
	Coverage float64 `json:"coverage"`
	// ProbedSeconds is the time the probes measured, whatever incidents
	// say (the delivery and latency targets' coverage).
	ProbedSeconds float64 `json:"probed_seconds"`
	// Availability = (up + degraded) / (up + degraded + down), a ratio in
	// [0, 1]; null when all three are 0. No-data time is left out of both
	// sides: it never counts as up (nor as down).
	Availability *float64 `json:"availability"`
	ProbesOK     int64    `json:"probes_ok"`
	ProbesFailed int64    `json:"probes_failed"`
	// Messages (messaging component only): Sent publishes attempted,
	// Expected deliveries of accepted publishes, Delivered arrived within
	// Config.ReceiveTimeout. DeliveryRate = Delivered / Expected; null when
	// Expected is 0.
	Sent         int64    `json:"sent"`
	Expected     int64    `json:"expected"`
	Delivered    int64    `json:"delivered"`
	DeliveryRate *float64 `json:"delivery_rate"`
	// Latency percentiles from the merged histograms, in milliseconds:
	// connect time for engine_connect, publish→receipt for messaging,
	// response time for docs_forum_http; null without samples. Each is the
	// upper bound of its histogram bucket (at most ~4.4% above the exact
	// value, never below).
	LatencySamples int64    `json:"latency_samples"`
	P50Ms          *float64 `json:"p50_ms"`
	P99Ms          *float64 `json:"p99_ms"`
}

// BarLevel colours a day bar.
type BarLevel string

// Bar levels.
const (
	BarNoData   BarLevel = "no_data"  // nothing measured that day, and no incident
	BarUp       BarLevel = "up"       // no down or degraded time
	BarDegraded BarLevel = "degraded" // a minor incident, or availability at least 99%
	BarDown     BarLevel = "down"     // a major or critical incident, or availability below 99%
)

// DayBar is one UTC day of a component's 90-day bar.
type DayBar struct {
	Date  string   `json:"date"` // YYYY-MM-DD, UTC
	Level BarLevel `json:"level"`
	// Seconds is the part of the day that has passed (86,400 before
	// today); the other figures are as in Window and add up to it.
	Seconds         float64  `json:"seconds"`
	UpSeconds       float64  `json:"up_seconds"`
	DegradedSeconds float64  `json:"degraded_seconds"`
	DownSeconds     float64  `json:"down_seconds"`
	NoDataSeconds   float64  `json:"no_data_seconds"`
	Availability    *float64 `json:"availability"` // as in Window; null without data
	ProbesOK        int64    `json:"probes_ok"`
	ProbesFailed    int64    `json:"probes_failed"`
	// Incidents are the IDs of the incidents that affected the component
	// that day, oldest first.
	Incidents []int64 `json:"incidents"`
}

// ComponentStatus is everything shown for one component.
type ComponentStatus struct {
	Component Component `json:"component"`
	State     State     `json:"state"`
	// Last24h: the 1,440 UTC minutes ending with the current one.
	// Last30d and Last90d: the last 30 and 90 UTC days, today included up
	// to the current minute.
	Last24h Window `json:"last_24h"`
	Last30d Window `json:"last_30d"`
	Last90d Window `json:"last_90d"`
	// Days are the 90 day bars, oldest first, the last one today.
	Days []DayBar `json:"days"`
}

// Summary is the status page's data, also returned by GET /api/status.
type Summary struct {
	GeneratedAt time.Time `json:"generated_at"`
	// State is the overall current state (see combinedState).
	State                State   `json:"state"`
	StateWindowSeconds   float64 `json:"state_window_seconds"`
	ProbeIntervalSeconds float64 `json:"probe_interval_seconds"`
	// LastProbeAt and MonitoringSince: start of the latest and the first
	// stored probe; null before the first.
	LastProbeAt     *time.Time `json:"last_probe_at"`
	MonitoringSince *time.Time `json:"monitoring_since"`

	// Overall is up in a probe when every probed component was; Engine
	// when connect, messaging and peer messages were.
	Overall    ComponentStatus   `json:"overall"`
	Engine     ComponentStatus   `json:"engine"`
	Components []ComponentStatus `json:"components"` // MeasuredComponents order
	// Nodes are the engine nodes probed one by one (Config.NodeURLs), in
	// that order; absent without NodeURLs.
	Nodes []NodeStatus `json:"nodes,omitempty"`

	// Headline messaging figures over Last24h.
	DeliveryRate24h *float64 `json:"delivery_rate_24h"`
	LatencyP50Ms24h *float64 `json:"latency_p50_ms_24h"`
	LatencyP99Ms24h *float64 `json:"latency_p99_ms_24h"`

	SLA []SLAResult `json:"sla"`
	// Gaps recorded in the last 90 days (unknown time: prober not running).
	Gaps []Gap `json:"gaps"`
	// Incidents: the open ones and those started in the last 14 days,
	// newest first.
	Incidents []Incident `json:"incidents"`
	// FaultResponse90d: fault response times of the incidents started in
	// the 90 days of the bars.
	FaultResponse90d FaultResponseStats `json:"fault_response_90d"`
}

// Days shown in the bars and the longest window.
const barDays = 90

// Summary computes every figure at time now from the stored measurements,
// including probes not yet rolled up. It only reads.
func (m *Monitor) Summary(ctx context.Context, now time.Time) (Summary, error) {
	now = now.UTC()
	s := Summary{GeneratedAt: now, StateWindowSeconds: m.StateWindow().Seconds(), ProbeIntervalSeconds: m.cfg.Interval.Seconds()}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	defer tx.Rollback()
	v, err := loadView(ctx, tx, now, m.cfg.Interval)
	if err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	recent, err := queryProbes(ctx, tx, `WHERE at > ? AND at <= ? ORDER BY at`,
		now.Add(-m.StateWindow()).UnixMilli(), now.UnixMilli())
	if err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	for _, k := range []struct {
		key string
		dst **time.Time
	}{{metaLastProbe, &s.LastProbeAt}, {metaFirstProbe, &s.MonitoringSince}} {
		var val string
		err := tx.QueryRowContext(ctx, `SELECT value FROM status_meta WHERE key = ?`, k.key).Scan(&val)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return s, fmt.Errorf("status summary: %w", err)
		}
		if ms, err := strconv.ParseInt(val, 10, 64); err == nil {
			t := time.UnixMilli(ms).UTC()
			*k.dst = &t
		}
	}
	states := map[Component]State{}
	for _, c := range MeasuredComponents() {
		states[c] = componentState(recent, c)
	}
	states[ComponentEngine] = combinedState(states[ComponentConnect], states[ComponentMessaging], states[ComponentPeer])
	states[ComponentOverall] = combinedState(states[ComponentConnect], states[ComponentMessaging], states[ComponentPeer], states[ComponentHTTP])
	build := func(c Component) ComponentStatus {
		cs := v.component(c)
		cs.State = states[c]
		return cs
	}
	s.Overall, s.Engine = build(ComponentOverall), build(ComponentEngine)
	s.State = s.Overall.State
	for _, c := range MeasuredComponents() {
		s.Components = append(s.Components, build(c))
	}
	msg := &s.Components[1]
	s.DeliveryRate24h, s.LatencyP50Ms24h, s.LatencyP99Ms24h = msg.Last24h.DeliveryRate, msg.Last24h.P50Ms, msg.Last24h.P99Ms
	s.SLA = slaResults(&s.Engine, msg)
	if s.Nodes, err = m.nodeStatuses(ctx, tx, now); err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	if s.Gaps, err = m.Gaps(ctx, time.Unix(v.firstDay, 0), now); err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	if s.Incidents, err = m.ListIncidents(ctx, IncidentFilter{Since: now.Add(-14 * 24 * time.Hour), IncludeOpen: true, Limit: 50}); err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	if s.FaultResponse90d, err = m.FaultResponse(ctx, time.Unix(v.firstDay, 0)); err != nil {
		return s, fmt.Errorf("status summary: %w", err)
	}
	// Empty lists, not null, for JSON clients.
	if s.Gaps == nil {
		s.Gaps = []Gap{}
	}
	if s.Incidents == nil {
		s.Incidents = []Incident{}
	}
	return s, nil
}
