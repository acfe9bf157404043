package engine

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// Usage accounting: per-app counters that the hot path adds to with
// atomics (no lock, no allocation, no database write per message), which
// a collector empties every interval with TakeUsage and stores (package
// usage). What each figure counts is stated on AppUsage.

// AppUsage is what one app did between two TakeUsage calls.
type AppUsage struct {
	AppID string
	// Connections is the number connected when taken; PeakConnections
	// the most at once since the last take.
	Connections, PeakConnections int64
	// NewConnections counts successful connects.
	NewConnections uint64
	// Disconnects counts ended connections by WebSocket close code (the
	// server's code, or the client's; 1006 when none was sent).
	Disconnects map[int]uint64
	// Publishes counts accepted publications (clients' and the server
	// API's).
	Publishes uint64
	// DeliveriesDue counts publication × subscriber pairs the engine had
	// to deliver on this node; Deliveries those whose frame was written to
	// the subscriber's socket. A due delivery dropped because its
	// connection closed first (a slow consumer's 4001, above all) is due
	// and not delivered, so it counts against the delivery rate.
	DeliveriesDue, Deliveries uint64
	// Peer messages by outcome (PeerReceipt.Status).
	PeerDelivered, PeerStored, PeerFailed uint64
	// HistoryRequests counts history reads (clients' and the server API's).
	HistoryRequests uint64
	// Errors counts protocol error replies and pushes sent to connected
	// clients, by code (rate limited, too large, permission...).
	Errors map[Code]uint64
	// Latency holds, for each written delivery, the time from the
	// engine's accepting the publication (before it is stored) to the
	// write of its frame to the subscriber's socket.
	Latency histogram.Histogram
	// SDKs counts the connections now by "name version" as sent in
	// connect ("" for a client that sent none).
	SDKs map[string]int64
}

// appUsage is an app's live counters.
type appUsage struct {
	conns, peak                                atomic.Int64
	newConns, publishes, due, delivered        atomic.Uint64
	peerDelivered, peerStored, peerFailed, hst atomic.Uint64
	latency                                    histogram.Atomic

	mu          sync.Mutex // the rare counters: by code
	disconnects map[int]uint64
	errors      map[Code]uint64
}

// usageTable holds the counters of every app seen since start.
type usageTable struct {
	mu   sync.RWMutex
	apps map[string]*appUsage
}

// of returns app's counters, creating them on first use.
func (t *usageTable) of(app string) *appUsage {
	t.mu.RLock()
	u := t.apps[app]
	t.mu.RUnlock()
	if u != nil {
		return u
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.apps == nil {
		t.apps = map[string]*appUsage{}
	}
	if u = t.apps[app]; u == nil {
		u = &appUsage{}
		t.apps[app] = u
	}
	return u
}

// The methods of a nil *appUsage do nothing: connections that the
// engine's own tests build by hand have no app.

func (u *appUsage) addDue() {
	if u != nil {
		u.due.Add(1)
	}
}

func (u *appUsage) addPublish() {
	if u != nil {
		u.publishes.Add(1)
	}
}

func (u *appUsage) connected() {
	n := u.conns.Add(1)
	u.newConns.Add(1)
	for {
		p := u.peak.Load()
		if n <= p || u.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (u *appUsage) disconnected(code int) {
	if u == nil {
		return
	}
	u.conns.Add(-1)
	u.mu.Lock()
	if u.disconnects == nil {
		u.disconnects = map[int]uint64{}
	}
	u.disconnects[code]++
	u.mu.Unlock()
}

func (u *appUsage) errored(code Code) {
	if u == nil {
		return
	}
	u.mu.Lock()
	if u.errors == nil {
		u.errors = map[Code]uint64{}
	}
	u.errors[code]++
	u.mu.Unlock()
}

// written accounts the publications of marks as delivered at now.
func (u *appUsage) written(marks []pubMark, now time.Time) {
	if u == nil {
		return
	}
	n := 0
	for _, m := range marks {
		if !m.p.accepted.IsZero() {
			u.latency.Add(now.Sub(m.p.accepted))
		}
		n++
	}
	u.delivered.Add(uint64(n))
}

// TakeUsage returns what each app did since the last call and starts
// counting afresh; apps with no connection and no activity are left out.
// The peak starts again from the connections now.
func (e *Engine) TakeUsage() []AppUsage {
	e.usage.mu.RLock()
	ids := make([]string, 0, len(e.usage.apps))
	for id := range e.usage.apps {
		ids = append(ids, id)
	}
	e.usage.mu.RUnlock()
	sort.Strings(ids)
	var out []AppUsage
	for _, id := range ids {
		u := e.usage.of(id)
		now := u.conns.Load()
		r := AppUsage{AppID: id, Connections: now, PeakConnections: max(u.peak.Swap(now), now),
			NewConnections: u.newConns.Swap(0), Publishes: u.publishes.Swap(0),
			DeliveriesDue: u.due.Swap(0), Deliveries: u.delivered.Swap(0),
			PeerDelivered: u.peerDelivered.Swap(0), PeerStored: u.peerStored.Swap(0), PeerFailed: u.peerFailed.Swap(0),
			HistoryRequests: u.hst.Swap(0), Latency: u.latency.Take()}
		u.mu.Lock()
		r.Disconnects, r.Errors = u.disconnects, u.errors
		u.disconnects, u.errors = nil, nil
		u.mu.Unlock()
		if now > 0 {
			r.SDKs = map[string]int64{}
			for _, c := range e.Clients(id) {
				key := c.SDK
				if c.SDKVersion != "" {
					key += " " + c.SDKVersion
				}
				r.SDKs[key]++
			}
		}
		if r.idle() {
			continue
		}
		out = append(out, r)
	}
	return out
}

func (r *AppUsage) idle() bool {
	return r.PeakConnections == 0 && r.NewConnections == 0 && r.Publishes == 0 && r.DeliveriesDue == 0 &&
		r.Deliveries == 0 && r.PeerDelivered+r.PeerStored+r.PeerFailed == 0 && r.HistoryRequests == 0 &&
		len(r.Disconnects) == 0 && len(r.Errors) == 0
}
