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
type Limits struct {
	MaxMessageBytes         int           // 32 KiB: size of a publish/peer "data" JSON value
	MaxFrameBytes           int           // 2*MaxMessageBytes+4096: bigger frames close the socket with 1009
	PublishRate             float64       // 60 per second per connection (publish + peer)
	PublishBurst            int           // 60
	MaxSubscriptionsPerConn int           // 128
	MaxConnsPerApp          int           // 100000
	SendQueueLen            int           // 1024 frames per connection
	SendQueueBytes          int           // 4 MiB per connection
	HistorySize             int           // 1000 publications per channel
	HistoryTTL              time.Duration // 10 minutes
	HistoryMaxLimit         int           // 1000 publications per history request
	OfflineTTL              time.Duration // 24 hours for stored peer messages
	MaxOfflinePerUser       int           // 1000 stored peer messages per recipient
	PingInterval            time.Duration // 25 s
	PongTimeout             time.Duration // 10 s
	ConnectTimeout          time.Duration // 10 s
	ExpiringLead            time.Duration // 30 s before exp the "expiring" push is sent
	AckTimeout              time.Duration // 5 s before unacked publications are redelivered
	MaxUnacked              int           // 1000 unacked publications per connection
	MaxStateKeys            int           // 16 presence state keys
	MaxStateBytes           int           // 1024 bytes of presence state JSON
	ShutdownReconnectDelay  time.Duration // 500 ms advised in the shutdown push
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
	return l
}
