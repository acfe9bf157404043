package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

var _ PresenceManager = (*MemoryPresence)(nil)

// MemoryPresence is an in-process PresenceManager.
type MemoryPresence struct {
	mu       sync.Mutex
	channels map[ChannelID]map[string]*presenceEntry // channel -> user -> entry
	users    map[userKey]map[string]int              // app+user -> channel -> connections
}

type userKey struct{ App, User string }

type presenceEntry struct {
	clients map[string]struct{}
	state   map[string]string
}

// NewMemoryPresence returns an empty MemoryPresence.
func NewMemoryPresence() *MemoryPresence {
	return &MemoryPresence{channels: make(map[ChannelID]map[string]*presenceEntry), users: make(map[userKey]map[string]int)}
}

// Join implements PresenceManager.
func (m *MemoryPresence) Join(_ context.Context, ch ChannelID, user, client string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	members := m.channels[ch]
	if members == nil {
		members = make(map[string]*presenceEntry)
		m.channels[ch] = members
	}
	e := members[user]
	first := e == nil
	if first {
		e = &presenceEntry{clients: make(map[string]struct{}, 1)}
		members[user] = e
	}
	if _, dup := e.clients[client]; dup {
		return false, nil
	}
	e.clients[client] = struct{}{}
	uk := userKey{ch.App, user}
	if m.users[uk] == nil {
		m.users[uk] = make(map[string]int)
	}
	m.users[uk][ch.Name]++
	return first, nil
}

// Leave implements PresenceManager.
func (m *MemoryPresence) Leave(_ context.Context, ch ChannelID, user, client string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.channels[ch][user]
	if e == nil {
		return false, nil
	}
	if _, ok := e.clients[client]; !ok {
		return false, nil
	}
	delete(e.clients, client)
	uk := userKey{ch.App, user}
	if m.users[uk][ch.Name]--; m.users[uk][ch.Name] <= 0 {
		delete(m.users[uk], ch.Name)
		if len(m.users[uk]) == 0 {
			delete(m.users, uk)
		}
	}
	if len(e.clients) > 0 {
		return false, nil
	}
	delete(m.channels[ch], user)
	if len(m.channels[ch]) == 0 {
		delete(m.channels, ch)
	}
	return true, nil
}

// SetState implements PresenceManager.
func (m *MemoryPresence) SetState(_ context.Context, ch ChannelID, user string, state map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.channels[ch][user]
	if e == nil {
		return fmt.Errorf("set state: %s not in %s: %w", user, ch.Name, ErrNotFound)
	}
	e.state = maps.Clone(state)
	return nil
}

// Presence implements PresenceManager.
func (m *MemoryPresence) Presence(_ context.Context, ch ChannelID) ([]Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Member, 0, len(m.channels[ch]))
	for u, e := range m.channels[ch] {
		st := maps.Clone(e.state)
		if st == nil {
			st = map[string]string{}
		}
		out = append(out, Member{User: u, Connections: len(e.clients), State: st, Clients: slices.Sorted(maps.Keys(e.clients))})
	}
	slices.SortFunc(out, func(a, b Member) int {
		if a.User < b.User {
			return -1
		}
		if a.User > b.User {
			return 1
		}
		return 0
	})
	return out, nil
}

// WhereNow implements PresenceManager.
func (m *MemoryPresence) WhereNow(_ context.Context, app, user string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chans := slices.Sorted(maps.Keys(m.users[userKey{app, user}]))
	if chans == nil {
		chans = []string{}
	}
	return chans, nil
}

// RemoveApp implements PresenceManager.
func (m *MemoryPresence) RemoveApp(_ context.Context, app string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for ch := range m.channels {
		if ch.App == app {
			delete(m.channels, ch)
		}
	}
	for uk := range m.users {
		if uk.App == app {
			delete(m.users, uk)
		}
	}
	return nil
}
