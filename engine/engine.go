package engine

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Engine is the messaging engine. Create it with New, serve Handler, and
// stop it with Shutdown.
type Engine struct {
	cfg      Config
	db       *sql.DB
	log      *slog.Logger
	limits   Limits
	now      func() time.Time
	broker   Broker
	presence PresenceManager
	// clusterPresence: the presence manager pushes join, leave and state
	// events itself (NATSPresence, from its watch of the cluster), so the
	// connections do not.
	clusterPresence bool
	// clusterConns counts the apps' connections on the other nodes of a
	// cluster (nil: a single node).
	clusterConns clusterConns
	// peers routes peer messages across a cluster (nil: this node only).
	peers      *NATSPeers
	hub        *hub
	flusher    *flusher
	apps       appCache
	apiBuckets appBuckets
	offline    *offlineStore

	peerSeed  maphash.Seed
	peerLocks [64]sync.Mutex
	presLocks [64]sync.Mutex

	stats   counters
	usage   usageTable // per-app usage (usage.go)
	closing atomic.Bool
	stop    chan struct{}
	done    chan struct{}

	// ctx is the parent of every connection's context and of the sweeps'
	// storage work; Shutdown cancels it once the connections are told.
	ctx    context.Context
	cancel context.CancelFunc
}

// New runs the engine's migrations (component "engine") and returns a
// running engine. cfg.DB is required.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("engine: Config.DB is required: %w", ErrInvalid)
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "engine", sub); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	offline, err := newOfflineStore(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Broker == nil {
		cfg.Broker = NewMemoryBroker(MemoryBrokerConfig{
			DB: cfg.DB, HistorySize: cfg.Limits.HistorySize, HistoryTTL: cfg.Limits.HistoryTTL,
			Now: cfg.Now, Logger: cfg.Logger,
		})
	}
	if cfg.Presence == nil {
		cfg.Presence = NewMemoryPresence()
	}
	e := &Engine{
		cfg:      cfg,
		db:       cfg.DB,
		log:      cfg.Logger,
		limits:   cfg.Limits,
		now:      cfg.Now,
		broker:   cfg.Broker,
		presence: cfg.Presence,
		peerSeed: maphash.MakeSeed(),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	// New's ctx bounds the migrations only; the engine keeps its values
	// (for logging) but not its deadline.
	e.ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	e.apps.m = make(map[string]cachedApp)
	e.apps.keys = make(map[string]cachedKey)
	e.hub = newHub(e)
	e.flusher = newFlusher()
	e.offline = offline
	e.broker.RegisterEventHandler(e.hub)
	if cfg.Peers != nil {
		e.peers, cfg.Peers.e = cfg.Peers, e
	}
	if pp, ok := e.presence.(interface {
		setPushHandler(func(ChannelID, wsFrame))
	}); ok {
		pp.setPushHandler(e.hub.broadcastPresence)
		e.clusterPresence = true
	}
	if sp, ok := e.presence.(interface {
		setSweepHandler(func(ChannelID) func(), func(ChannelID, string, string), func(ChannelID, string, string))
	}); ok {
		sp.setSweepHandler(e.lockPresence, e.sweptLeave, e.restoredJoin)
	}
	if cc, ok := e.presence.(clusterConns); ok {
		cc.setConnCounter(e.hub.appCounts)
		e.clusterConns = cc
	}
	go e.sweepLoop()
	if cfg.Registry != nil {
		if err := e.startRegistry(ctx); err != nil {
			e.Shutdown(ctx)
			return nil, err
		}
	}
	return e, nil
}

// Limits returns the engine-wide limits in effect (defaults filled in).
func (e *Engine) Limits() Limits { return e.limits }

// Publish publishes data to a channel of an app on behalf of the server
// (the "from" field is empty). It does not apply client limits other than
// the message size.
func (e *Engine) Publish(ctx context.Context, appID, channel string, data json.RawMessage) (StreamPosition, error) {
	pos, err := e.publish(ctx, appID, channel, data)
	e.syncEvents(ctx, appID)
	return pos, err
}

// Broadcast publishes data to each channel in turn as Publish does, and
// waits for the events once for all of them; errs[i] is nil when
// channels[i] was published.
func (e *Engine) Broadcast(ctx context.Context, appID string, channels []string, data json.RawMessage) (pos []StreamPosition, errs []error) {
	pos, errs = make([]StreamPosition, len(channels)), make([]error, len(channels))
	for i, ch := range channels {
		pos[i], errs[i] = e.publish(ctx, appID, ch, data)
	}
	e.syncEvents(ctx, appID)
	return pos, errs
}

func (e *Engine) publish(ctx context.Context, appID, channel string, data json.RawMessage) (StreamPosition, error) {
	if !ValidChannel(channel) {
		return StreamPosition{}, fmt.Errorf("publish: %w", errf(CodeChannelInvalid, "invalid channel %q", channel))
	}
	if !json.Valid(data) {
		return StreamPosition{}, fmt.Errorf("publish: data is not JSON: %w", ErrInvalid)
	}
	if len(data) > e.limits.MaxMessageBytes {
		return StreamPosition{}, fmt.Errorf("publish: %w", errf(CodeMessageTooLarge, "data is %d bytes, limit %d", len(data), e.limits.MaxMessageBytes))
	}
	if _, err := e.GetApp(ctx, appID); err != nil {
		return StreamPosition{}, fmt.Errorf("publish: %w", err)
	}
	p, err := e.broker.Publish(ctx, ChannelID{appID, channel}, data, "")
	if err != nil {
		return StreamPosition{}, fmt.Errorf("publish: %w", err)
	}
	e.stats.published.Add(1)
	e.usage.of(appID).publishes.Add(1)
	if f := e.cfg.OnPublish; f != nil {
		f(PublishEvent{AppID: appID, Channel: channel, Offset: p.Offset, Size: len(data), Data: data})
	}
	return StreamPosition{Offset: p.Offset, Epoch: p.Epoch}, nil
}

// clusterConns is a presence manager that also shares the nodes'
// connection counts (NATSPresence).
type clusterConns interface {
	setConnCounter(counts func() map[string]int)
	remoteConns(app string) int
}

// Shutdown tells every connected client to reconnect (a "shutdown" push
// followed by close code 4006), refuses new connections, and waits until
// the connections are closed or ctx is done. The database is not closed.
func (e *Engine) Shutdown(ctx context.Context) error {
	if !e.closing.CompareAndSwap(false, true) {
		return ErrClosed
	}
	close(e.stop)
	<-e.done
	frame := encodeFrame(shutdownPush{Type: "shutdown", ReconnectAfterMS: e.limits.ShutdownReconnectDelay.Milliseconds()})
	e.hub.closeAll(frame, CloseShutdown, "server shutdown")
	e.cancel() // ops still running give up; connections clean up on their own
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	defer e.flusher.stop()
	defer e.offline.close()
	for e.hub.count() > 0 {
		select {
		case <-ctx.Done():
			e.hub.closeAllNow()
			return fmt.Errorf("engine shutdown: %w", ctx.Err())
		case <-t.C:
		}
	}
	err := e.broker.Close()
	if e.peers != nil {
		e.peers.Close()
	}
	if c, ok := e.presence.(interface{ Close() error }); ok {
		err = errors.Join(err, c.Close())
	}
	return err
}

// sweepLoop runs periodic work: pings and pong checks, connect timeouts,
// token expiry, ack redelivery, and history/offline expiry.
func (e *Engine) sweepLoop() {
	defer close(e.done)
	l := e.limits
	tick := min(l.PingInterval, l.PongTimeout, l.ConnectTimeout, l.ExpiringLead, l.AckTimeout) / 4
	tick = max(5*time.Millisecond, min(tick, time.Second))
	t := time.NewTicker(tick)
	defer t.Stop()
	lastStorage := e.now()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		now := e.now()
		e.hub.sweep(now)
		if now.Sub(lastStorage) >= time.Minute {
			lastStorage = now
			ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
			if s, ok := e.broker.(interface{ Sweep(context.Context) error }); ok {
				if err := s.Sweep(ctx); err != nil {
					e.log.ErrorContext(ctx, "sweep history", "err", err)
				}
			}
			if err := e.offline.sweep(ctx, now); err != nil {
				e.log.ErrorContext(ctx, "sweep offline messages", "err", err)
			}
			cancel()
		}
	}
}

// peerLock serializes peer delivery decisions and logins per recipient, so
// a stored message is never stranded and offline messages come before live ones.
func (e *Engine) peerLock(app, user string) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(e.peerSeed)
	h.WriteString(app)
	h.WriteByte(0)
	h.WriteString(user)
	return &e.peerLocks[h.Sum64()%uint64(len(e.peerLocks))]
}

// presenceLock serializes presence changes per channel together with their
// pushes, so every subscriber sees a channel's join, leave and state
// events in the order the changes happened.
func (e *Engine) presenceLock(ch ChannelID) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(e.peerSeed)
	h.WriteString(ch.App)
	h.WriteByte(0)
	h.WriteString(ch.Name)
	return &e.presLocks[h.Sum64()%uint64(len(e.presLocks))]
}

// lockPresence holds ch's presence lock until unlock is called.
func (e *Engine) lockPresence(ch ChannelID) (unlock func()) {
	pl := e.presenceLock(ch)
	pl.Lock()
	return pl.Unlock
}

// sweptLeave reports the leave of a user whose last connection in ch was
// removed by the cluster presence's sweep (its node died): OnPresenceLeave
// runs on the one node that removed it.
func (e *Engine) sweptLeave(ch ChannelID, user, client string) {
	if f := e.cfg.OnPresenceLeave; f != nil {
		f(PresenceEvent{AppID: ch.App, Channel: ch.Name, UserID: user, ClientID: client})
	}
}

// restoredJoin reports the join of a user whom the cluster presence's
// sweep put back on this node (the other nodes had taken the node for
// dead and reported the user's leave): OnPresenceJoin runs again, so the
// events an app receives pair up.
func (e *Engine) restoredJoin(ch ChannelID, user, client string) {
	if f := e.cfg.OnPresenceJoin; f != nil {
		f(PresenceEvent{AppID: ch.App, Channel: ch.Name, UserID: user, ClientID: client})
	}
}

// AppCacheTTL is how long an engine trusts its cached copy of an app or an
// API key. A change made through another engine on the same database (the
// "apps" command while the server runs) is seen within this time.
const AppCacheTTL = 2 * time.Second

// appCache caches apps by ID (connects look apps up often) and API keys by
// hash (every server API request looks its key up).
type appCache struct {
	mu   sync.RWMutex
	m    map[string]cachedApp
	keys map[string]cachedKey
}

type cachedApp struct {
	app     App
	fetched time.Time
}

type cachedKey struct {
	key     apiKeyRow
	fetched time.Time
}

func (c *appCache) get(id string, now time.Time) (App, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.m[id]
	if !ok || now.Sub(a.fetched) >= AppCacheTTL || now.Before(a.fetched) {
		return App{}, false
	}
	return a.app, true
}

func (c *appCache) put(a App, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[a.ID] = cachedApp{a, now}
}

func (c *appCache) getKey(hash string, now time.Time) (apiKeyRow, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.keys[hash]
	if !ok || now.Sub(k.fetched) >= AppCacheTTL || now.Before(k.fetched) {
		return apiKeyRow{}, false
	}
	return k.key, true
}

func (c *appCache) putKey(hash string, k apiKeyRow, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxCachedKeys {
		clear(c.keys) // wrong keys are cached too: bound the map
	}
	c.keys[hash] = cachedKey{k, now}
}

// maxCachedKeys bounds the key cache, which also remembers unknown keys.
const maxCachedKeys = 10000

// forgetUnknownKeys drops the cached misses of the key cache.
func (c *appCache) forgetUnknownKeys() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, k := range c.keys {
		if k.key.appID == "" {
			delete(c.keys, h)
		}
	}
}

// forget drops the app and its keys from the cache.
func (c *appCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
	for h, k := range c.keys {
		if k.key.appID == id {
			delete(c.keys, h)
		}
	}
}
