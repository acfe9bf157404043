package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ PresenceManager = (*NATSPresence)(nil)

// Buckets of the cluster's presence: one key per (app, channel, user) with
// the user's connections there (client ID → node instance) and state, and
// one key per live node instance, refreshed every heartbeat and expiring
// after the node TTL.
const (
	NATSPresenceBucket = "sb_presence"
	NATSNodesBucket    = "sb_nodes"
)

// NATSPresenceConfig configures a NATSPresence.
type NATSPresenceConfig struct {
	Conn     *nats.Conn
	Node     string // node name, part of the instance ID (default "node")
	Replicas int    // replicas of both buckets (default 1)
	// Heartbeat is how often the node refreshes its key and looks for
	// dead nodes (default 5 s); NodeTTL is how long a key lives without a
	// refresh (default 15 s). A dead node's clients leave within about
	// NodeTTL + Heartbeat.
	Heartbeat time.Duration
	NodeTTL   time.Duration
	Logger    *slog.Logger
}

// NATSPresence is a cluster-wide PresenceManager on JetStream KV. Changes
// are compare-and-set updates of one key per (channel, user), so "first
// connection" and "last connection" are decided once across the cluster.
// Every node watches the bucket and pushes join, leave and state events
// to its own subscribers in the bucket's order (the order of the changes);
// presence and where_now read the watched copy, which a change waits for
// before it returns.
type NATSPresence struct {
	cfg      NATSPresenceConfig
	kv       jetstream.KeyValue
	nodes    jetstream.KeyValue
	instance string
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	applied uint64 // last bucket revision in entries
	ready   bool   // the watcher has read the initial values
	entries map[string]*natsPresenceEntry
	push    func(ch ChannelID, frame wsFrame)
	// counts are this node's connections per app (the engine's hub),
	// published with every heartbeat; remote sums the other live nodes'.
	counts func() map[string]int
	remote map[string]int
	// local holds this node's clients in each key (key, client): a leave
	// that could not be written (NATS away) is retried by the sweep, and a
	// client the other nodes removed while they took this node for dead
	// is put back.
	local map[[2]string]localClient
	// lockChannel, sweptLeave and restoredJoin are the engine's
	// (setSweepHandler).
	lockChannel  func(ch ChannelID) (unlock func())
	sweptLeave   func(ch ChannelID, user, client string)
	restoredJoin func(ch ChannelID, user, client string)
}

// localClient is the channel and user of one of this node's clients.
type localClient struct {
	ch   ChannelID
	user string
}

// nodeValue is a node key's value.
type nodeValue struct {
	Node  string         `json:"node"`
	Conns map[string]int `json:"conns,omitempty"`
}

// natsPresenceEntry is the value of one presence key.
type natsPresenceEntry struct {
	App     string            `json:"app"`
	Channel string            `json:"channel"`
	User    string            `json:"user"`
	Clients map[string]string `json:"clients"` // client ID → node instance
	State   map[string]string `json:"state"`
	rev     uint64
}

// NewNATSPresence opens (creating them if needed) the presence and node
// buckets, registers this node and starts watching.
func NewNATSPresence(ctx context.Context, cfg NATSPresenceConfig) (*NATSPresence, error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 5 * time.Second
	}
	if cfg.NodeTTL <= 0 {
		cfg.NodeTTL = 3 * cfg.Heartbeat
	}
	if cfg.Node == "" {
		cfg.Node = "node"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("presence: %w", err)
	}
	kv, err := natsSetup(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: NATSPresenceBucket, History: 1, Replicas: max(1, cfg.Replicas)})
	})
	if err != nil {
		return nil, fmt.Errorf("presence: %w", unavailable(err))
	}
	nodes, err := natsSetup(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: NATSNodesBucket, History: 1, TTL: cfg.NodeTTL, Replicas: max(1, cfg.Replicas)})
	})
	if err != nil {
		return nil, fmt.Errorf("presence nodes: %w", unavailable(err))
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	p := &NATSPresence{cfg: cfg, kv: kv, nodes: nodes, log: cfg.Logger, entries: map[string]*natsPresenceEntry{}, local: map[[2]string]localClient{},
		instance: keyPart(cfg.Node) + "-" + hex.EncodeToString(rnd[:]), done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	// Alive before any of its clients is recorded.
	if _, err := nodes.Put(ctx, p.instance, p.nodeValue()); err != nil {
		return nil, fmt.Errorf("presence: register node: %w", unavailable(err))
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("presence: watch: %w", unavailable(err))
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.cancel = cancel
	go p.watch(rctx, w)
	go p.heartbeat(rctx)
	p.mu.Lock()
	for !p.ready {
		p.cond.Wait()
	}
	p.mu.Unlock()
	return p, nil
}

// keyPart encodes s for a KV key token (letters, digits, - and _).
func keyPart(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func presenceKey(ch ChannelID, user string) string {
	return keyPart(ch.App) + "." + keyPart(ch.Name) + "." + keyPart(user)
}

// setPushHandler makes the engine deliver the watched events: push queues
// frame to ch's subscribers on this node that asked for presence.
func (p *NATSPresence) setPushHandler(push func(ch ChannelID, frame wsFrame)) {
	p.mu.Lock()
	p.push = push
	p.mu.Unlock()
}

// setConnCounter makes every heartbeat carry this node's connections per
// app, as counts returns them.
func (p *NATSPresence) setConnCounter(counts func() map[string]int) {
	p.mu.Lock()
	p.counts = counts
	p.mu.Unlock()
}

// remoteConns is the app's connections on the other live nodes, as of
// their last heartbeats (an approximation, a heartbeat or two old).
func (p *NATSPresence) remoteConns(app string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remote[app]
}

// nodeValue is this node's heartbeat value.
func (p *NATSPresence) nodeValue() []byte {
	p.mu.Lock()
	counts := p.counts
	p.mu.Unlock()
	v := nodeValue{Node: p.cfg.Node}
	if counts != nil {
		v.Conns = counts()
	}
	b, _ := json.Marshal(v)
	return b
}

// watch applies the bucket's changes in order and pushes their events.
// When the watcher ends (its NATS connection closed), it watches anew,
// once a second until it can, and the new watcher's initial values
// replace the copy: a key they lack was deleted meanwhile.
func (p *NATSPresence) watch(ctx context.Context, w jetstream.KeyWatcher) {
	defer close(p.done)
	defer func() { w.Stop() }()
	var seen map[string]bool // keys of a new watcher's initial values
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-w.Updates():
			switch {
			case !ok:
				w.Stop()
				p.log.Warn("presence: the bucket's watcher ended; watching anew")
				for {
					select {
					case <-ctx.Done():
						return
					case <-time.After(time.Second):
					}
					nw, err := p.kv.WatchAll(ctx)
					if err == nil {
						w, seen = nw, map[string]bool{}
						break
					}
				}
			case u == nil: // the initial values are in
				if seen != nil {
					p.forgetUnseen(seen)
					seen = nil
				}
				p.mu.Lock()
				p.ready = true
				p.cond.Broadcast()
				p.mu.Unlock()
			default:
				if seen != nil {
					seen[u.Key()] = true
				}
				p.apply(u)
			}
		}
	}
}

// forgetUnseen drops the copied entries a new watcher did not list (they
// were deleted while no watcher ran) and pushes their leaves.
func (p *NATSPresence) forgetUnseen(seen map[string]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, e := range p.entries {
		if seen[k] {
			continue
		}
		delete(p.entries, k)
		if p.ready && p.push != nil {
			p.push(ChannelID{e.App, e.Channel}, encodeFrame(leavePush{Type: "presence", Channel: e.Channel, Event: "leave", User: e.User}))
		}
	}
}

func (p *NATSPresence) apply(u jetstream.KeyValueEntry) {
	var e *natsPresenceEntry
	if u.Operation() == jetstream.KeyValuePut {
		e = &natsPresenceEntry{}
		if err := json.Unmarshal(u.Value(), e); err != nil {
			p.log.Error("presence: bad entry", "key", u.Key(), "err", err)
			e = nil
		} else if len(e.Clients) == 0 {
			e = nil
		} else {
			e.rev = u.Revision()
		}
	}
	p.mu.Lock()
	defer func() {
		p.applied = max(p.applied, u.Revision())
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
	old := p.entries[u.Key()]
	if e == nil {
		delete(p.entries, u.Key())
	} else {
		p.entries[u.Key()] = e
	}
	if !p.ready || p.push == nil {
		return
	}
	switch {
	case old == nil && e != nil:
		p.push(ChannelID{e.App, e.Channel}, encodeFrame(presencePush{Type: "presence", Channel: e.Channel, Event: "join", User: e.User, State: orEmpty(e.State)}))
	case old != nil && e == nil:
		p.push(ChannelID{old.App, old.Channel}, encodeFrame(leavePush{Type: "presence", Channel: old.Channel, Event: "leave", User: old.User}))
	case old != nil && !maps.Equal(old.State, e.State):
		p.push(ChannelID{e.App, e.Channel}, encodeFrame(presencePush{Type: "presence", Channel: e.Channel, Event: "state", User: e.User, State: orEmpty(e.State)}))
	}
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// waitApplied waits until the watched copy has revision rev.
func (p *NATSPresence) waitApplied(rev uint64) {
	deadline := time.Now().Add(2 * time.Second)
	t := time.AfterFunc(2*time.Second, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer t.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.applied < rev && time.Now().Before(deadline) {
		p.cond.Wait()
	}
}

// update changes key's entry with f (nil: no entry) until the
// compare-and-set holds; f returns the new entry (nil or no clients:
// delete) and whether to write at all.
func (p *NATSPresence) update(ctx context.Context, key string, f func(old *natsPresenceEntry) (*natsPresenceEntry, bool)) error {
	for attempt := 0; attempt < 100; attempt++ {
		var old *natsPresenceEntry
		var rev uint64
		cur, err := p.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("presence: %w", unavailable(err))
		default:
			rev = cur.Revision()
			old = &natsPresenceEntry{}
			if err := json.Unmarshal(cur.Value(), old); err != nil || len(old.Clients) == 0 {
				old = nil
			}
		}
		e, write := f(old)
		if !write {
			return nil
		}
		var newRev uint64
		if e == nil || len(e.Clients) == 0 {
			if rev == 0 {
				return nil
			}
			err = p.kv.Delete(ctx, key, jetstream.LastRevision(rev))
			if err == nil {
				// The delete marker's revision is not returned: wait for
				// whatever the bucket holds now.
				newRev = p.lastRevision(ctx)
			}
		} else {
			data, merr := json.Marshal(e)
			if merr != nil {
				return fmt.Errorf("presence: %w", merr)
			}
			if rev == 0 {
				newRev, err = p.kv.Create(ctx, key, data)
			} else {
				newRev, err = p.kv.Update(ctx, key, data, rev)
			}
		}
		var apiErr *jetstream.APIError
		switch {
		case err == nil:
			p.waitApplied(newRev)
			return nil
		case errors.Is(err, jetstream.ErrKeyExists) || (errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence):
			continue // another node changed it: read again
		default:
			return fmt.Errorf("presence: %w", unavailable(err))
		}
	}
	return unavailable(fmt.Errorf("presence: %s: too many conflicts", key))
}

// lastRevision is the presence bucket's last stream sequence.
func (p *NATSPresence) lastRevision(ctx context.Context) uint64 {
	st, err := p.kv.Status(ctx)
	if err != nil {
		return 0
	}
	if s, ok := st.(*jetstream.KeyValueBucketStatus); ok {
		return s.StreamInfo().State.LastSeq
	}
	return 0
}

// Join implements PresenceManager.
func (p *NATSPresence) Join(ctx context.Context, ch ChannelID, user, client string) (first bool, err error) {
	key := presenceKey(ch, user)
	p.mu.Lock()
	p.local[[2]string{key, client}] = localClient{ch, user}
	p.mu.Unlock()
	err = p.update(ctx, key, func(old *natsPresenceEntry) (*natsPresenceEntry, bool) {
		first = old == nil
		e := &natsPresenceEntry{App: ch.App, Channel: ch.Name, User: user, Clients: map[string]string{}}
		if old != nil {
			e.Clients, e.State = old.Clients, old.State
		}
		e.Clients[client] = p.instance
		return e, true
	})
	return first, err
}

// Leave implements PresenceManager.
func (p *NATSPresence) Leave(ctx context.Context, ch ChannelID, user, client string) (last bool, err error) {
	key := presenceKey(ch, user)
	p.mu.Lock()
	delete(p.local, [2]string{key, client})
	p.mu.Unlock()
	err = p.update(ctx, key, func(old *natsPresenceEntry) (*natsPresenceEntry, bool) {
		last = false
		if old == nil || old.Clients[client] == "" {
			return nil, false
		}
		delete(old.Clients, client)
		last = len(old.Clients) == 0
		return old, true
	})
	return last, err
}

// SetState implements PresenceManager.
func (p *NATSPresence) SetState(ctx context.Context, ch ChannelID, user string, state map[string]string) error {
	found := false
	err := p.update(ctx, presenceKey(ch, user), func(old *natsPresenceEntry) (*natsPresenceEntry, bool) {
		if found = old != nil; !found {
			return nil, false
		}
		old.State = state
		return old, true
	})
	if err == nil && !found {
		return fmt.Errorf("set state: %s not in %s: %w", user, ch.Name, ErrNotFound)
	}
	return err
}

// Presence implements PresenceManager, from the watched copy.
func (p *NATSPresence) Presence(_ context.Context, ch ChannelID) ([]Member, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Member
	prefix := keyPart(ch.App) + "." + keyPart(ch.Name) + "."
	for k, e := range p.entries {
		if strings.HasPrefix(k, prefix) {
			clients := slices.Sorted(maps.Keys(e.Clients))
			out = append(out, Member{User: e.User, Connections: len(clients), State: maps.Clone(orEmpty(e.State)), Clients: clients})
		}
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.User, b.User) })
	if out == nil {
		out = []Member{}
	}
	return out, nil
}

// WhereNow implements PresenceManager, from the watched copy.
func (p *NATSPresence) WhereNow(_ context.Context, app, user string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []string{}
	for _, e := range p.entries {
		if e.App == app && e.User == user {
			out = append(out, e.Channel)
		}
	}
	slices.Sort(out)
	return out, nil
}

// RemoveApp implements PresenceManager.
func (p *NATSPresence) RemoveApp(ctx context.Context, app string) error {
	p.mu.Lock()
	var keys []string
	for k, e := range p.entries {
		if e.App == app {
			keys = append(keys, k)
		}
	}
	p.mu.Unlock()
	for _, k := range keys {
		if err := p.kv.Delete(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("presence: remove app: %w", unavailable(err))
		}
	}
	return nil
}

// Crash stops the heartbeat and watcher without removing this node's
// clients, as if the process died (tests of dead-node cleanup).
func (p *NATSPresence) Crash() {
	p.cancel()
	<-p.done
}

// Close stops the node's heartbeat and watcher and removes its node key
// (its clients have left by then, on an orderly shutdown).
func (p *NATSPresence) Close() error {
	p.cancel()
	<-p.done
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.nodes.Delete(ctx, p.instance); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("presence: %w", err)
	}
	return nil
}
