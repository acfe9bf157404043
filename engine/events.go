package engine

import (
	"context"

	"github.com/coder/websocket"
)

// Event callbacks beyond OnConnect, OnDisconnect and OnPublish (config.go).
//
// Every callback runs synchronously on the goroutine that made the change,
// sometimes under a lock that orders it with its neighbours (a channel's
// presence lock, the hub's lock), so that the callbacks of one channel or
// connection arrive in the order the changes happened. A callback must
// therefore return at once and never block: hand the event to a bounded
// queue and drop or count when it is full (the webhooks package does so).
//
// A consumer that must not lose an acknowledged action's events (the
// webhooks outbox) also sets Config.EventSync. For an app it wants, the
// engine then waits in Sync, holding no lock, before it acknowledges an
// action: a connection's writes are held while its op runs and until Sync
// returns (so the reply, and anything else queued meanwhile, reaches the
// client only after the op's events are durable); the server API's
// Publish, SendPeer and UnsubscribeUser sync before they return; and a
// closed connection syncs its unsubscribe, presence, vacated and
// disconnect events before its cleanup ends (so Shutdown waits for them).

// EventSync lets the engine wait until the events its callbacks handed
// over are durable.
type EventSync interface {
	// Wants reports whether appID's events are synced. Connections of
	// other apps never wait; they are held only during connect, whose app
	// is not known until the op ends (runOp), and released without a Sync.
	Wants(appID string) bool
	// Sync returns when every event handed over for appID before the call
	// is durable (or was dropped and counted), or when ctx is done.
	Sync(ctx context.Context, appID string)
}

// syncEvents waits for appID's events when an EventSync wants them.
func (e *Engine) syncEvents(ctx context.Context, appID string) {
	if es := e.cfg.EventSync; es != nil && appID != "" && es.Wants(appID) {
		es.Sync(ctx, appID)
	}
}

// SubscribeHandler is called after a subscription succeeded and its reply
// was queued.
type SubscribeHandler func(ev SubscribeEvent)

// UnsubscribeHandler is called when a subscription that SubscribeHandler
// saw ends, by an unsubscribe op or because the connection went away.
type UnsubscribeHandler func(ev SubscribeEvent)

// ChannelHandler is called when a channel gets its first subscriber on
// this node (occupied) or loses its last one (vacated). With a cluster
// broker every node reports its own occupancy.
type ChannelHandler func(ev ChannelEvent)

// PresenceHandler is called when a user's first connection joins a
// channel's presence (join) or its last one leaves (leave). With a cluster
// presence, when the last connections were on a node that died (or their
// leave could not be written), leave is called by the node whose sweep
// removed them, once cluster-wide, within about the node TTL plus a
// heartbeat; ClientID is then one of the removed connections.
type PresenceHandler func(ev PresenceEvent)

// PeerStoredHandler is called after a peer message was stored for a
// recipient who is offline: the moment a backend sends a mobile push.
type PeerStoredHandler func(ev PeerStoredEvent)

// SubscribeEvent describes a subscription. Reason is empty for subscribe;
// for unsubscribe it is "client" (an unsubscribe op) or "disconnect".
type SubscribeEvent struct {
	AppID, Channel, UserID, ClientID string
	Reason                           string
}

// ChannelEvent names a channel whose occupancy changed.
type ChannelEvent struct{ AppID, Channel string }

// PresenceEvent describes a user joining or leaving a channel's presence.
type PresenceEvent struct{ AppID, Channel, UserID, ClientID string }

// PeerStoredEvent describes a peer message stored for an offline user.
type PeerStoredEvent struct {
	AppID, From, To string // From is "" for a message the server API sent
	MessageID       int64
	ExpiresAt       int64 // Unix seconds
	Data            []byte
}

// Unsubscribe reasons in SubscribeEvent.Reason.
const (
	UnsubscribeClient     = "client"
	UnsubscribeDisconnect = "disconnect"
	UnsubscribeServer     = "server" // the server API's users/{user}/unsubscribe
)

// peerCloseCode is the close code the client sent, or 1006 (abnormal
// closure) when the connection ended without one.
func peerCloseCode(err error) int {
	if c := websocket.CloseStatus(err); c != -1 {
		return int(c)
	}
	return int(websocket.StatusAbnormalClosure)
}
