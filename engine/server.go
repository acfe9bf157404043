package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// This file holds the operations an app's backend performs (the server
// API in package serverapi calls them): the same work as the protocol's
// ops, on behalf of the server rather than of one connection.

// checkServerData validates a publish or peer payload from the server: it
// returns a *Error (101 or 130) for anything the engine must not relay.
func (e *Engine) checkServerData(data json.RawMessage) error {
	if len(data) == 0 {
		return errf(CodeBadRequest, "missing data")
	}
	if !json.Valid(data) {
		return errf(CodeBadRequest, "data is not JSON")
	}
	if len(data) > e.limits.MaxMessageBytes {
		return errf(CodeMessageTooLarge, "data is %d bytes, limit is %d", len(data), e.limits.MaxMessageBytes)
	}
	return nil
}

// History returns the channel's kept publications matching f and its
// stream position. f.Limit 0 means 100; over Limits.HistoryMaxLimit is a
// 101 *Error, as is a bad channel name (120).
func (e *Engine) History(ctx context.Context, appID, channel string, f HistoryFilter) (HistoryResult, error) {
	if !ValidChannel(channel) {
		return HistoryResult{}, errf(CodeChannelInvalid, "channel must be 1-%d bytes of A-Z a-z 0-9 _ - . : @ =", MaxChannelBytes)
	}
	if f.Limit == 0 {
		f.Limit = min(100, e.limits.HistoryMaxLimit)
	}
	if f.Limit < 0 || f.Limit > e.limits.HistoryMaxLimit {
		return HistoryResult{}, errf(CodeBadRequest, "limit must be 1-%d", e.limits.HistoryMaxLimit)
	}
	h, err := e.broker.History(ctx, ChannelID{appID, channel}, f)
	if err != nil {
		return HistoryResult{}, fmt.Errorf("history: %w", err)
	}
	e.usage.of(appID).hst.Add(1)
	return h, nil
}

// Presence lists the users present in the channel, with their client IDs
// and state, sorted by user ID.
func (e *Engine) Presence(ctx context.Context, appID, channel string) ([]Member, error) {
	if !ValidChannel(channel) {
		return nil, errf(CodeChannelInvalid, "invalid channel %q", clip(channel, 64))
	}
	m, err := e.presence.Presence(ctx, ChannelID{appID, channel})
	if err != nil {
		return nil, fmt.Errorf("presence: %w", err)
	}
	return m, nil
}

// Occupancy counts a channel's present connections and distinct users.
type Occupancy struct {
	Clients int `json:"clients"`
	Users   int `json:"users"`
}

// Occupancy returns how many connections and users are present in the channel.
func (e *Engine) Occupancy(ctx context.Context, appID, channel string) (Occupancy, error) {
	m, err := e.Presence(ctx, appID, channel)
	if err != nil {
		return Occupancy{}, err
	}
	o := Occupancy{Users: len(m)}
	for _, u := range m {
		o.Clients += u.Connections
	}
	return o, nil
}

// ChannelInfo is an active channel: one with subscribers on this node.
type ChannelInfo struct {
	Name        string `json:"channel"`
	Subscribers int    `json:"subscribers"`
}

// Channels lists the app's active channels whose names start with prefix
// and sort after after, in name order, at most limit of them; more is
// true when further channels follow.
func (e *Engine) Channels(ctx context.Context, appID, prefix, after string, limit int) (chans []ChannelInfo, more bool) {
	chans = e.hub.channels(appID, prefix, after)
	if len(chans) > limit {
		return chans[:limit], true
	}
	return chans, false
}

// SendPeer sends a peer message from the server (its "from" is empty) to
// every connection of user, or stores it for the user when offline and
// store is set, and returns the protocol's receipt. It returns a *Error
// for a bad user ID (140) or data (101, 130).
func (e *Engine) SendPeer(ctx context.Context, appID, user string, data json.RawMessage, store bool) (PeerReceipt, error) {
	if !validUser(user) {
		return PeerReceipt{}, errf(CodeUserInvalid, "user must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	if err := e.checkServerData(data); err != nil {
		return PeerReceipt{}, err
	}
	rec, err := e.sendPeer(ctx, appID, "", user, data, store)
	if err != nil {
		return PeerReceipt{}, fmt.Errorf("send peer: %w", err)
	}
	return rec, nil
}

// DisconnectUser closes every connection of the user with close code 4007
// and returns how many there were.
func (e *Engine) DisconnectUser(ctx context.Context, appID, user string) (int, error) {
	if !validUser(user) {
		return 0, errf(CodeUserInvalid, "user must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	conns := e.hub.userConns(appID, user)
	for _, c := range conns {
		c.closeWith(CloseUserDisconnected, "disconnected by the server")
	}
	return len(conns), nil
}

// UnsubscribeUser ends the subscriptions of every connection of the user
// to channel, pushing {"type":"unsubscribed"} to each, and returns how
// many it ended.
func (e *Engine) UnsubscribeUser(ctx context.Context, appID, user, channel string) (int, error) {
	if !validUser(user) {
		return 0, errf(CodeUserInvalid, "user must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	if !ValidChannel(channel) {
		return 0, errf(CodeChannelInvalid, "invalid channel %q", clip(channel, 64))
	}
	frame := encodeFrame(unsubscribedPush{Type: "unsubscribed", Channel: channel})
	n := 0
	for _, c := range e.hub.userConns(appID, user) {
		c.mu.Lock()
		s := c.subs[channel]
		delete(c.subs, channel)
		c.mu.Unlock()
		if s == nil {
			continue
		}
		c.dropSub(ctx, s, UnsubscribeServer)
		c.send(frame)
		n++
	}
	return n, nil
}

// APIRate is the app's server API rate and burst: its override
// (AppLimits.APIRate, burst the same) or Limits.APIRate and APIBurst.
func (e *Engine) APIRate(app App) (rate float64, burst int) {
	if app.Limits.APIRate > 0 {
		return app.Limits.APIRate, max(1, int(app.Limits.APIRate))
	}
	return e.limits.APIRate, e.limits.APIBurst
}

// AllowAPIRequest takes one token from the app's server API bucket (see
// APIRate); false means the request is over the rate.
func (e *Engine) AllowAPIRequest(app App) bool {
	rate, burst := e.APIRate(app)
	return e.apiBuckets.allow(app.ID, rate, burst, e.now())
}

// appBuckets are token buckets per app, for the server API.
type appBuckets struct {
	mu sync.Mutex
	m  map[string]*tokenBucket
}

func (b *appBuckets) allow(app string, rate float64, burst int, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string]*tokenBucket)
	}
	tb := b.m[app]
	if tb == nil {
		nb := newTokenBucket(rate, burst, now)
		tb = &nb
		b.m[app] = tb
	}
	if tb.rate != rate || tb.burst != float64(burst) {
		tb.setRate(rate, burst) // the app's override changed
	}
	return tb.allow(now)
}

// channels lists the active channels of app with prefix after after, sorted.
func (h *hub) channels(app, prefix, after string) []ChannelInfo {
	h.mu.RLock()
	var out []ChannelInfo
	for ch, subs := range h.chans {
		if ch.App == app && strings.HasPrefix(ch.Name, prefix) && ch.Name > after {
			out = append(out, ChannelInfo{Name: ch.Name, Subscribers: len(subs)})
		}
	}
	h.mu.RUnlock()
	slices.SortFunc(out, func(a, b ChannelInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// userConns returns the connections of app's user.
func (h *hub) userConns(app, user string) []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := h.users[userKey{app, user}]
	out := make([]*conn, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	return out
}
