package usage

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/histogram"
)

// Period is one app's usage over one minute or hour.
type Period struct {
	T                                     int64 // start, Unix seconds
	Conns, Peak                           int64
	NewConns, Publishes, Due, Delivered   int64
	PeerDelivered, PeerStored, PeerFailed int64
	History                               int64
	Disconnects                           map[string]int64 // by close code
	Errors                                map[string]int64 // by protocol code
	SDKs                                  map[string]int64 // most connections at once by "name version"
	Latency                               histogram.Histogram
}

// add merges a sample taken at the end of an interval into p (conns: the
// later sample wins; peaks: the larger).
func (p *Period) add(u engine.AppUsage) {
	p.Conns = u.Connections
	p.Peak = max(p.Peak, u.PeakConnections)
	p.NewConns += int64(u.NewConnections)
	p.Publishes += int64(u.Publishes)
	p.Due += int64(u.DeliveriesDue)
	p.Delivered += int64(u.Deliveries)
	p.PeerDelivered += int64(u.PeerDelivered)
	p.PeerStored += int64(u.PeerStored)
	p.PeerFailed += int64(u.PeerFailed)
	p.History += int64(u.HistoryRequests)
	for code, n := range u.Disconnects {
		addTo(&p.Disconnects, strconv.Itoa(code), int64(n))
	}
	for code, n := range u.Errors {
		addTo(&p.Errors, strconv.Itoa(int(code)), int64(n))
	}
	for sdk, n := range u.SDKs {
		maxTo(&p.SDKs, sdk, n)
	}
	p.Latency.Merge(&u.Latency)
}

// merge adds a later period q into p (an hour from its minutes).
func (p *Period) merge(q *Period) {
	p.Conns = q.Conns
	p.Peak = max(p.Peak, q.Peak)
	p.NewConns += q.NewConns
	p.Publishes += q.Publishes
	p.Due += q.Due
	p.Delivered += q.Delivered
	p.PeerDelivered += q.PeerDelivered
	p.PeerStored += q.PeerStored
	p.PeerFailed += q.PeerFailed
	p.History += q.History
	for k, n := range q.Disconnects {
		addTo(&p.Disconnects, k, n)
	}
	for k, n := range q.Errors {
		addTo(&p.Errors, k, n)
	}
	for k, n := range q.SDKs {
		maxTo(&p.SDKs, k, n)
	}
	p.Latency.Merge(&q.Latency)
}

func addTo(m *map[string]int64, k string, n int64) {
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[k] += n
}

func maxTo(m *map[string]int64, k string, n int64) {
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[k] = max((*m)[k], n)
}

// ErrorCount is the number of protocol errors in the period.
func (p *Period) ErrorCount() int64 {
	var n int64
	for _, c := range p.Errors {
		n += c
	}
	return n
}

// DeliveryRate is deliveries written ÷ deliveries due, or ok=false when
// nothing was due.
func (p *Period) DeliveryRate() (float64, bool) {
	if p.Due == 0 {
		return 0, false
	}
	return float64(p.Delivered) / float64(p.Due), true
}

const periodColumns = `t, conns, peak, new_conns, publishes, due, delivered, peer_delivered, peer_stored, peer_failed, history, disconnects, errors, sdks, hist`

func (p *Period) args() []any {
	j := func(m map[string]int64) string {
		if m == nil {
			return "{}"
		}
		b, _ := json.Marshal(m) // cannot fail for a map of integers
		return string(b)
	}
	return []any{p.T, p.Conns, p.Peak, p.NewConns, p.Publishes, p.Due, p.Delivered, p.PeerDelivered, p.PeerStored,
		p.PeerFailed, p.History, j(p.Disconnects), j(p.Errors), j(p.SDKs), p.Latency.Encode()}
}

func scanPeriod(row interface{ Scan(...any) error }) (Period, error) {
	var p Period
	var disc, errs, sdks, hist string
	if err := row.Scan(&p.T, &p.Conns, &p.Peak, &p.NewConns, &p.Publishes, &p.Due, &p.Delivered, &p.PeerDelivered,
		&p.PeerStored, &p.PeerFailed, &p.History, &disc, &errs, &sdks, &hist); err != nil {
		return Period{}, err
	}
	for _, f := range []struct {
		s string
		m *map[string]int64
	}{{disc, &p.Disconnects}, {errs, &p.Errors}, {sdks, &p.SDKs}} {
		if err := json.Unmarshal([]byte(f.s), f.m); err != nil {
			return Period{}, fmt.Errorf("usage row: %w", err)
		}
	}
	var err error
	if p.Latency, err = histogram.Decode(hist); err != nil {
		return Period{}, fmt.Errorf("usage row: %w", err)
	}
	return p, nil
}
