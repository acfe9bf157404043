package engine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// setSweepHandler lets the engine order and report the changes the sweep
// makes: lock holds a channel's presence lock around each change; leave
// is called, once cluster-wide (by the node whose compare-and-set removed
// the user's last connection), for a user who left a channel because its
// node died or its own leave failed; join, for a user this node put back
// as the first connection in a channel (restore).
func (p *NATSPresence) setSweepHandler(lock func(ch ChannelID) (unlock func()), leave, join func(ch ChannelID, user, client string)) {
	p.mu.Lock()
	p.lockChannel, p.sweptLeave, p.restoredJoin = lock, leave, join
	p.mu.Unlock()
}

// heartbeat refreshes this node's key and, on a goroutine of its own so
// that a long sweep never delays a refresh (the node would look dead),
// removes the clients of nodes whose key expired.
func (p *NATSPresence) heartbeat(ctx context.Context) {
	t := time.NewTicker(p.cfg.Heartbeat)
	defer t.Stop()
	sweep := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-sweep:
			}
			if err := p.sweep(ctx); err != nil && ctx.Err() == nil {
				p.log.Warn("presence: sweep", "err", err)
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := p.nodes.Put(ctx, p.instance, p.nodeValue()); err != nil {
			p.log.Warn("presence: heartbeat", "err", err)
			continue
		}
		select {
		case sweep <- struct{}{}:
		default: // the last sweep is still running
		}
	}
}

// sweep removes the clients of nodes that are not alive.
func (p *NATSPresence) sweep(ctx context.Context) error {
	alive := map[string]bool{}
	lister, err := p.nodes.ListKeys(ctx)
	if err != nil {
		return err
	}
	for k := range lister.Keys() {
		alive[k] = true
	}
	if !alive[p.instance] {
		return nil // our own view is stale: do nothing this round
	}
	remote := map[string]int{}
	for k := range alive {
		if k == p.instance {
			continue
		}
		e, err := p.nodes.Get(ctx, k)
		if err != nil {
			continue // expired meanwhile
		}
		var v nodeValue
		if json.Unmarshal(e.Value(), &v) == nil {
			for app, n := range v.Conns {
				remote[app] += n
			}
		}
	}
	// A node missing from the listing is dead only if its key is gone
	// too: a listing taken while keys change may miss one.
	p.mu.Lock()
	missing := map[string]bool{}
	for _, e := range p.entries {
		for _, n := range e.Clients {
			if !alive[n] {
				missing[n] = true
			}
		}
	}
	p.mu.Unlock()
	for n := range missing {
		if _, err := p.nodes.Get(ctx, n); err == nil {
			alive[n] = true
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return err
		}
	}
	p.mu.Lock()
	p.remote = remote
	type staleKey struct {
		key  string
		ch   ChannelID
		user string
	}
	var stale []staleKey
	gone := func(k, client, node string) bool {
		_, local := p.local[[2]string{k, client}]
		return !alive[node] || (node == p.instance && !local)
	}
	for k, e := range p.entries {
		for c, n := range e.Clients {
			if gone(k, c, n) {
				stale = append(stale, staleKey{k, ChannelID{e.App, e.Channel}, e.User})
				break
			}
		}
	}
	lock, leave := p.lockChannel, p.sweptLeave
	p.mu.Unlock()
	for _, s := range stale {
		unlock := func() {}
		if lock != nil {
			unlock = lock(s.ch)
		}
		// Decided by the attempt whose compare-and-set held.
		var last bool
		var client string
		err := p.update(ctx, s.key, func(old *natsPresenceEntry) (*natsPresenceEntry, bool) {
			last, client = false, ""
			if old == nil {
				return nil, false
			}
			var removed []string
			p.mu.Lock()
			for c, node := range old.Clients {
				if gone(s.key, c, node) {
					removed = append(removed, c)
				}
			}
			p.mu.Unlock()
			if len(removed) == 0 {
				return old, false
			}
			for _, c := range removed {
				delete(old.Clients, c)
			}
			last, client = len(old.Clients) == 0, slices.Max(removed)
			return old, true
		})
		if err == nil && last && leave != nil {
			leave(s.ch, s.user, client)
		}
		unlock()
		if err != nil {
			return err
		}
		p.log.Info("presence: removed clients of a dead node or whose leave failed", "key", s.key)
	}
	return p.restore(ctx, lock, p.restoredJoin)
}

// restore puts back this node's clients that the presence bucket lacks:
// the other nodes removed them while they took this node for dead (its
// heartbeat was late: a stalled process or a slow NATS). Under the
// channel's presence lock no join or leave of this node is half done, so
// a client that is local and missing from the bucket's copy is missing.
// The watchers see a join again; their state is not restored.
func (p *NATSPresence) restore(ctx context.Context, lock func(ch ChannelID) (unlock func()), join func(ch ChannelID, user, client string)) error {
	missing := func(k [2]string) (localClient, bool) {
		lc, ok := p.local[k]
		e := p.entries[k[0]]
		return lc, ok && (e == nil || e.Clients[k[1]] != p.instance)
	}
	p.mu.Lock()
	var lost [][2]string
	for k := range p.local {
		if _, ok := missing(k); ok {
			lost = append(lost, k)
		}
	}
	p.mu.Unlock()
	for _, k := range lost {
		p.mu.Lock()
		lc, ok := p.local[k]
		p.mu.Unlock()
		if !ok {
			continue
		}
		unlock := func() {}
		if lock != nil {
			unlock = lock(lc.ch)
		}
		p.mu.Lock()
		lc, ok = missing(k)
		p.mu.Unlock()
		var err error
		first := false
		if ok {
			err = p.update(ctx, k[0], func(old *natsPresenceEntry) (*natsPresenceEntry, bool) {
				first = old == nil
				e := &natsPresenceEntry{App: lc.ch.App, Channel: lc.ch.Name, User: lc.user, Clients: map[string]string{}}
				if old != nil {
					e.Clients, e.State = old.Clients, old.State
				}
				if e.Clients[k[1]] == p.instance {
					first = false
					return old, false
				}
				e.Clients[k[1]] = p.instance
				return e, true
			})
		}
		if err == nil && first && join != nil {
			join(lc.ch, lc.user, k[1])
		}
		unlock()
		if err != nil {
			return err
		}
		if ok {
			p.log.Warn("presence: put back a client the cluster removed while it took this node for dead", "key", k[0], "client", k[1])
		}
	}
	return nil
}
