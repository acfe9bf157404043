package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// NodeStatus is one engine node's row (Config.NodeURLs): its current
// engine state and its figures over the last 24 hours, from its own
// probes.
type NodeStatus struct {
	// Name is the node's name at its latest probe (from its /healthz),
	// else the URL's host.
	Name string `json:"name"`
	URL  string `json:"url"`
	// State judges the node's engine (connect, messaging, peer messages
	// and the cross-node check together) from its probes in the state
	// window, as for a component.
	State State `json:"state"`
	// LastProbeAt is the start of the node's latest stored probe; null
	// before the first.
	LastProbeAt *time.Time `json:"last_probe_at"`
	// Last24h: the node's probes started in the 24 hours ending now.
	Last24h NodeWindow `json:"last_24h"`
}

// NodeWindow is a node's figures over a window. Unlike the components'
// windows, a node's availability is counted in probes, not time: the
// share of its probes in which connect, messaging, peer messages and the
// cross-node check (where it ran) all succeeded.
type NodeWindow struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	ProbesOK     int64     `json:"probes_ok"`
	ProbesFailed int64     `json:"probes_failed"`
	// Availability = ProbesOK / (ProbesOK + ProbesFailed); null without probes.
	Availability *float64 `json:"availability"`
	// Messages as in Window: DeliveryRate = Delivered / Expected, null
	// when Expected is 0.
	Sent         int64    `json:"sent"`
	Expected     int64    `json:"expected"`
	Delivered    int64    `json:"delivered"`
	DeliveryRate *float64 `json:"delivery_rate"`
	// Publish→receipt latency percentiles through the node, in
	// milliseconds (histogram bucket upper bounds as in Window); null
	// without samples.
	LatencySamples int64    `json:"latency_samples"`
	P50Ms          *float64 `json:"p50_ms"`
	P99Ms          *float64 `json:"p99_ms"`
	// The cross-node check's messages (published on the next node,
	// received on this one): CrossDeliveryRate = CrossDelivered /
	// CrossExpected, null when CrossExpected is 0 (one node, or the check
	// never ran).
	CrossExpected     int64    `json:"cross_expected"`
	CrossDelivered    int64    `json:"cross_delivered"`
	CrossDeliveryRate *float64 `json:"cross_delivery_rate"`
}

// nodeStatuses computes the rows of Config.NodeURLs, in that order, at now.
func (m *Monitor) nodeStatuses(ctx context.Context, tx *sql.Tx, now time.Time) ([]NodeStatus, error) {
	var out []NodeStatus
	from := now.Add(-24 * time.Hour)
	stateFrom := now.Add(-m.StateWindow())
	for _, u := range m.cfg.NodeURLs {
		ns := NodeStatus{URL: u, Name: nodeHost(u), State: StateNoData}
		var name string
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT node, at FROM status_node_probes WHERE url = ? AND at <= ? ORDER BY at DESC, id DESC LIMIT 1`,
			u, now.UnixMilli()).Scan(&name, &at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("node %s: %w", u, err)
		}
		if err == nil {
			ns.Name = name
			t := time.UnixMilli(at).UTC()
			ns.LastProbeAt = &t
		}
		nps, err := queryNodeProbes(ctx, tx, `WHERE url = ? AND at > ? AND at <= ? ORDER BY at, id`,
			u, from.UnixMilli(), now.UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", u, err)
		}
		w := NodeWindow{From: from, To: now}
		var h Histogram
		var recent []Outcome
		for i := range nps {
			p := &nps[i].Probe
			o := nps[i].outcome()
			switch o {
			case OK:
				w.ProbesOK++
			case Failed:
				w.ProbesFailed++
			}
			w.CrossExpected += int64(nps[i].CrossExpected)
			w.CrossDelivered += int64(nps[i].CrossDelivered)
			w.Sent += int64(p.Sent)
			w.Expected += int64(p.Expected)
			w.Delivered += int64(p.Delivered)
			for _, d := range p.Latencies {
				h.Add(d)
			}
			if p.At.After(stateFrom) {
				recent = append(recent, o)
			}
		}
		w.Availability = ratio(w.ProbesOK, w.ProbesOK+w.ProbesFailed)
		w.DeliveryRate = ratio(w.Delivered, w.Expected)
		w.CrossDeliveryRate = ratio(w.CrossDelivered, w.CrossExpected)
		w.LatencySamples = h.Count()
		if d, ok := h.Quantile(0.50); ok {
			w.P50Ms = ptr(ms(d))
		}
		if d, ok := h.Quantile(0.99); ok {
			w.P99Ms = ptr(ms(d))
		}
		ns.Last24h = w
		ns.State = componentState(outcomeProbes(recent), ComponentEngine)
		out = append(out, ns)
	}
	return out, nil
}

// outcomeProbes wraps engine outcomes as probes for componentState.
func outcomeProbes(os []Outcome) []Probe {
	ps := make([]Probe, len(os))
	for i, o := range os {
		ps[i] = Probe{Connect: o, Messaging: Skipped, Peer: Skipped}
	}
	return ps
}
