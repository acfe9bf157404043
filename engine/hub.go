package engine

import (
	"time"

	"sync"
)

// hub is the node's registry of connections and subscriptions. It
// implements BrokerEventHandler: publications fan out from here.
type hub struct {
	e *Engine

	mu    sync.RWMutex
	all   map[*conn]struct{}                    // every open WebSocket, connected or not
	apps  map[string]map[*conn]struct{}         // connected clients per app
	users map[userKey]map[*conn]struct{}        // connected clients per app+user
	chans map[ChannelID]map[*conn]*subscription // subscriptions per channel
}

var _ BrokerEventHandler = (*hub)(nil)

func newHub(e *Engine) *hub {
	return &hub{
		e:     e,
		all:   make(map[*conn]struct{}),
		apps:  make(map[string]map[*conn]struct{}),
		users: make(map[userKey]map[*conn]struct{}),
		chans: make(map[ChannelID]map[*conn]*subscription),
	}
}

// HandlePublication queues the publication's shared frame to every
// subscriber of ch on this node.
func (h *hub) HandlePublication(ch ChannelID, p *Publication) {
	if f := h.e.cfg.DropFilter; f != nil && f(ch.App, ch.Name) {
		h.e.stats.dropped.Add(1)
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	subs := h.chans[ch]
	if len(subs) > 0 {
		// Due once per subscriber, whether it is then written, buffered
		// during a recovery, or dropped with a slow consumer.
		h.e.usage.of(ch.App).due.Add(uint64(len(subs)))
	}
	for _, s := range subs {
		s.deliver(p)
	}
}

// addOpen tracks a new WebSocket; false if the engine is shutting down.
func (h *hub) addOpen(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.e.closing.Load() {
		return false
	}
	h.all[c] = struct{}{}
	return true
}

func (h *hub) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.all)
}

func (h *hub) appCount(app string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.apps[app])
}

// appCounts is the number of connections of each app with any.
func (h *hub) appCounts() map[string]int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make(map[string]int, len(h.apps))
	for app, m := range h.apps {
		out[app] = len(m)
	}
	return out
}

// register makes c a connected client of app, unless the app is full.
func (h *hub) register(c *conn, app string, user string, maxConns int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.apps[app]) >= maxConns {
		return false
	}
	if h.apps[app] == nil {
		h.apps[app] = make(map[*conn]struct{})
	}
	h.apps[app][c] = struct{}{}
	uk := userKey{app, user}
	if h.users[uk] == nil {
		h.users[uk] = make(map[*conn]struct{}, 1)
	}
	h.users[uk][c] = struct{}{}
	return true
}

// remove forgets c entirely (its subscriptions must already be removed).
func (h *hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.all, c)
	if c.app.ID == "" {
		return
	}
	if m := h.apps[c.app.ID]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(h.apps, c.app.ID)
		}
	}
	uk := userKey{c.app.ID, c.user}
	if m := h.users[uk]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(h.users, uk)
		}
	}
}

// addSub registers s; first is true if it is the channel's first on this node.
func (h *hub) addSub(s *subscription) (first bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.chans[s.ch]
	if m == nil {
		m = make(map[*conn]*subscription)
		h.chans[s.ch] = m
		first = true
		// Under the hub's lock, so a channel's occupied and vacated
		// callbacks alternate in the order they happened.
		if f := h.e.cfg.OnChannelOccupied; f != nil {
			f(ChannelEvent{AppID: s.ch.App, Channel: s.ch.Name})
		}
	}
	m[s.c] = s
	return first
}

// removeSub unregisters s; last is true if the channel has no more subscribers here.
func (h *hub) removeSub(s *subscription) (last bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.chans[s.ch]
	if m == nil || m[s.c] != s {
		return false
	}
	delete(m, s.c)
	if len(m) == 0 {
		delete(h.chans, s.ch)
		if f := h.e.cfg.OnChannelVacated; f != nil {
			f(ChannelEvent{AppID: s.ch.App, Channel: s.ch.Name})
		}
		return true
	}
	return false
}

// broadcastPresence queues frame to subscribers of ch that asked for presence events.
func (h *hub) broadcastPresence(ch ChannelID, frame wsFrame) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, s := range h.chans[ch] {
		if s.presence {
			s.sendPresence(frame)
		}
	}
}

// sendToUser queues frame to every connection of user; false if none.
func (h *hub) sendToUser(app, user string, frame wsFrame) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	conns := h.users[userKey{app, user}]
	sent := false
	for c := range conns {
		if c.send(frame) {
			sent = true
		}
	}
	return sent
}

func (h *hub) closeApp(app string, code int, reason string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.apps[app] {
		c.closeWith(code, reason)
	}
}

// closeAll queues frame to every connection and closes each after it is written.
func (h *hub) closeAll(frame wsFrame, code int, reason string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.all {
		if c.connected.Load() {
			c.send(frame)
		}
		c.closeAfterFlush(code, reason)
	}
}

func (h *hub) closeAllNow() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.all {
		c.ws.CloseNow()
	}
}

// sweep runs the per-connection timers: connect timeout, ping/pong, token
// expiry and ack redelivery.
func (h *hub) sweep(now time.Time) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.all {
		c.tick(now)
	}
}
