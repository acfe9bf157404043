package engine

import "sync/atomic"

// Stats are cumulative counters and current gauges, for the status page,
// the sandbox and metrics exporters.
type Stats struct {
	Connections     int64  // connected (authenticated) clients now
	Subscriptions   int64  // subscriptions now
	ConnectsTotal   uint64 // successful connects since start
	Published       uint64 // publications accepted
	Deliveries      uint64 // pub pushes queued to subscribers (including redeliveries)
	Dropped         uint64 // publications not delivered because of Config.DropFilter
	PeerDelivered   uint64
	PeerStored      uint64
	PeerFailed      uint64
	SlowConsumers   uint64 // connections closed with 4001
	ProtocolErrors  uint64 // error replies and error pushes sent
	Redeliveries    uint64 // acknowledged-delivery resends
	OfflineReplayed uint64 // stored peer messages pushed at login
}

type counters struct {
	connections, subscriptions                                atomic.Int64
	connects, published, deliveries, dropped                  atomic.Uint64
	peerDelivered, peerStored, peerFailed                     atomic.Uint64
	slowConsumers, protocolErrors, redeliveries, offlineSends atomic.Uint64
}

// Stats returns a snapshot of the engine's counters.
func (e *Engine) Stats() Stats {
	c := &e.stats
	return Stats{
		Connections:     c.connections.Load(),
		Subscriptions:   c.subscriptions.Load(),
		ConnectsTotal:   c.connects.Load(),
		Published:       c.published.Load(),
		Deliveries:      c.deliveries.Load(),
		Dropped:         c.dropped.Load(),
		PeerDelivered:   c.peerDelivered.Load(),
		PeerStored:      c.peerStored.Load(),
		PeerFailed:      c.peerFailed.Load(),
		SlowConsumers:   c.slowConsumers.Load(),
		ProtocolErrors:  c.protocolErrors.Load(),
		Redeliveries:    c.redeliveries.Load(),
		OfflineReplayed: c.offlineSends.Load(),
	}
}

// AppConnections returns how many clients of app are connected now.
func (e *Engine) AppConnections(appID string) int { return e.hub.appCount(appID) }
