package engine

import (
	"database/sql"
	"log/slog"
	"time"
)

// Config configures an Engine. Zero fields get the documented defaults.
type Config struct {
	// DB is the SQLite database (from db.Open). Required.
	DB *sql.DB
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// Limits are the engine-wide limits; see Limits for defaults.
	Limits Limits
	// Now is the clock. Default: time.Now. Tests may move it.
	Now func() time.Time
	// Broker fans publications out and keeps history. Default: a
	// MemoryBroker persisting history to DB.
	Broker Broker
	// Presence tracks who is in which channel. Default: a MemoryPresence.
	Presence PresenceManager
	// Peers, if set, routes peer messages across a cluster and stores
	// those for users connected nowhere in JetStream instead of DB.
	Peers *NATSPeers
	// Registry, if set, shares the app registry with the other nodes of a
	// cluster (see AppRegistry): New applies its apps to DB before it
	// returns, and every app change is put there.
	Registry AppRegistry
	// OriginPatterns lists extra origins allowed to open the WebSocket
	// (see websocket.AcceptOptions). The request's own host is always allowed.
	// A single "*" allows every origin (token auth, no cookies, so this is safe).
	OriginPatterns []string

	// DropFilter is for tests only: when it returns true for a publication's
	// app and channel, the publication is accepted and stored in history but
	// not delivered to any subscriber, simulating messages dropped by a
	// fault (the status prober uses it). Never set it in production.
	DropFilter func(appID, channel string) bool

	// OnConnect, OnDisconnect, OnPublish are optional event callbacks; they
	// run synchronously on the connection's goroutine and must be quick.
	OnConnect    ConnectHandler
	OnDisconnect DisconnectHandler
	OnPublish    PublishHandler
	// The callbacks in events.go, with the same rule: return at once.
	OnSubscribe       SubscribeHandler
	OnUnsubscribe     UnsubscribeHandler
	OnChannelOccupied ChannelHandler
	OnChannelVacated  ChannelHandler
	OnPresenceJoin    PresenceHandler
	OnPresenceLeave   PresenceHandler
	OnPeerStored      PeerStoredHandler
	// EventSync, if set, is waited for before an action of an app it
	// wants is acknowledged (events.go).
	EventSync EventSync
}

// ConnectHandler is called after a client connected.
type ConnectHandler func(ev ConnectEvent)

// DisconnectHandler is called after a connected client went away.
type DisconnectHandler func(ev DisconnectEvent)

// PublishHandler is called after a publication was accepted.
type PublishHandler func(ev PublishEvent)

// ConnectEvent describes a new connection, with the SDK name and version
// the client sent in connect (empty when it sent none).
type ConnectEvent struct{ AppID, UserID, ClientID, SDK, SDKVersion string }

// DisconnectEvent describes a closed connection. Code is the WebSocket close
// code the server used, else the one the client sent, else 1006 (the
// connection dropped without a close frame).
type DisconnectEvent struct {
	AppID, UserID, ClientID string
	Code                    int
}

// PublishEvent describes an accepted publication.
type PublishEvent struct {
	AppID, Channel, UserID string
	Offset                 uint64
	Size                   int
	Data                   []byte // the publication's JSON; callbacks must not modify it
}

// Limits are the engine's limits. Zero fields get the defaults listed.
// The help tags describe each limit for the operator flags that set it
// (-engine-<field in kebab case>, see the Limits docs page).
type Limits struct {
	MaxMessageBytes         int           `help:"bytes of a publish or peer message's data JSON"`                                                                                 // 32 KiB
	MaxFrameBytes           int           `help:"bytes of a WebSocket frame (bigger frames close with 1009); default 2*max-message-bytes+4096; also the server API's body limit"` // 2*MaxMessageBytes+4096
	PublishRate             float64       `help:"publish and peer messages per second per connection"`                                                                            // 60
	PublishBurst            int           `help:"burst of the per-connection publish rate (token bucket size)"`                                                                   // PublishRate
	MaxSubscriptionsPerConn int           `help:"subscriptions per connection"`                                                                                                   // 128
	MaxConnsPerApp          int           `help:"connections per app"`                                                                                                            // 100000
	SendQueueLen            int           `help:"frames queued per connection before it is closed as a slow consumer (4001)"`                                                     // 1024
	SendQueueBytes          int           `help:"bytes queued per connection before it is closed as a slow consumer (4001)"`                                                      // 4 MiB
	HistorySize             int           `help:"publications kept per channel"`                                                                                                  // 1000
	HistoryTTL              time.Duration `help:"how long publications are kept"`                                                                                                 // 10 minutes
	HistoryMaxLimit         int           `help:"most publications one history request returns"`                                                                                  // 1000
	OfflineTTL              time.Duration `help:"how long peer messages for offline users are kept"`                                                                              // 24 hours
	MaxOfflinePerUser       int           `help:"peer messages kept per offline recipient"`                                                                                       // 1000
	PingInterval            time.Duration `help:"interval of the server's pings"`                                                                                                 // 25 s
	PongTimeout             time.Duration `help:"wait for a pong before closing with 4002"`                                                                                       // 10 s
	ConnectTimeout          time.Duration `help:"wait for a successful connect before closing with 4003"`                                                                         // 10 s
	ExpiringLead            time.Duration `help:"how long before a token expires the expiring push is sent"`                                                                      // 30 s
	AckTimeout              time.Duration `help:"wait for an ack before a publication is sent again"`                                                                             // 5 s
	MaxUnacked              int           `help:"unacknowledged publications per subscription before closing with 4001"`                                                          // 1000
	MaxStateKeys            int           `help:"keys of a user's presence state"`                                                                                                // 16
	MaxStateBytes           int           `help:"bytes of a user's presence state JSON"`                                                                                          // 1024
	ShutdownReconnectDelay  time.Duration `help:"reconnect delay advised in the shutdown push"`                                                                                   // 500 ms
	APIRate                 float64       `help:"server API requests per second per app"`                                                                                         // 1000
	APIBurst                int           `help:"burst of the server API rate per app"`                                                                                           // APIRate
}

// DefaultLimits returns the documented defaults.
func DefaultLimits() Limits {
	return Limits{}.withDefaults()
}

func (l Limits) withDefaults() Limits {
	setInt := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	setDur := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	setInt(&l.MaxMessageBytes, 32*1024)
	setInt(&l.MaxFrameBytes, 2*l.MaxMessageBytes+4096)
	if l.PublishRate <= 0 {
		l.PublishRate = 60
	}
	setInt(&l.PublishBurst, int(l.PublishRate))
	if l.PublishBurst < 1 {
		l.PublishBurst = 1
	}
	setInt(&l.MaxSubscriptionsPerConn, 128)
	setInt(&l.MaxConnsPerApp, 100000)
	setInt(&l.SendQueueLen, 1024)
	setInt(&l.SendQueueBytes, 4<<20)
	setInt(&l.HistorySize, 1000)
	setDur(&l.HistoryTTL, 10*time.Minute)
	setInt(&l.HistoryMaxLimit, 1000)
	setDur(&l.OfflineTTL, 24*time.Hour)
	setInt(&l.MaxOfflinePerUser, 1000)
	setDur(&l.PingInterval, 25*time.Second)
	setDur(&l.PongTimeout, 10*time.Second)
	setDur(&l.ConnectTimeout, 10*time.Second)
	setDur(&l.ExpiringLead, 30*time.Second)
	setDur(&l.AckTimeout, 5*time.Second)
	setInt(&l.MaxUnacked, 1000)
	setInt(&l.MaxStateKeys, 16)
	setInt(&l.MaxStateBytes, 1024)
	setDur(&l.ShutdownReconnectDelay, 500*time.Millisecond)
	if l.APIRate <= 0 {
		l.APIRate = 1000
	}
	setInt(&l.APIBurst, max(1, int(l.APIRate)))
	return l
}
