package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
)

type subscribeResult struct {
	Offset    uint64 `json:"offset"`
	Epoch     string `json:"epoch"`
	Recovered *bool  `json:"recovered,omitempty"`
	Missed    *int   `json:"missed,omitempty"`
}

func (c *conn) opSubscribe(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	if !allowed(c.claims.Subscribe, r.Channel) {
		return nil, errf(CodePermission, "token does not allow subscribing to %q", r.Channel)
	}
	ch := ChannelID{c.app.ID, r.Channel}
	s := &subscription{c: c, ch: ch, ack: r.Ack, presence: r.Presence, recovering: true}
	c.mu.Lock()
	if _, dup := c.subs[r.Channel]; dup {
		c.mu.Unlock()
		return nil, errf(CodeAlreadySubbed, "already subscribed to %q", r.Channel)
	}
	if len(c.subs) >= c.e.limits.MaxSubscriptionsPerConn {
		c.mu.Unlock()
		return nil, errf(CodeTooManySubs, "at most %d subscriptions per connection", c.e.limits.MaxSubscriptionsPerConn)
	}
	if c.subs == nil {
		c.subs = make(map[string]*subscription)
	}
	c.subs[r.Channel] = s
	if s.ack {
		c.ackSubs.Add(1)
	}
	c.mu.Unlock()

	// Register first (buffering), then read the position and history: a
	// publication is then either in history or in the buffer, never lost.
	if c.e.hub.addSub(s) {
		if err := c.e.broker.Subscribe(ch); err != nil {
			c.abortSub(ctx, s)
			return nil, internal(c, ctx, "subscribe", err)
		}
	}
	c.e.stats.subscriptions.Add(1)
	f := HistoryFilter{Since: math.MaxUint64}
	if r.Recover {
		f = HistoryFilter{Since: r.Offset}
	}
	h, err := c.e.broker.History(ctx, ch, f)
	if err != nil {
		c.abortSub(ctx, s)
		return nil, internal(c, ctx, "subscribe", err)
	}
	res := subscribeResult{Offset: h.Position.Offset, Epoch: h.Position.Epoch}
	var missed []*Publication
	if r.Recover {
		ok := r.Epoch == h.Position.Epoch && r.Offset <= h.Position.Offset &&
			(r.Offset == h.Position.Offset || (h.Oldest != 0 && h.Oldest <= r.Offset+1))
		if r.Epoch == h.Position.Epoch && r.Offset <= h.Position.Offset {
			missed = h.Publications
		}
		n := len(missed)
		res.Recovered, res.Missed = &ok, &n
	}
	// Presence before the reply: once the client has its reply, presence
	// and where_now list it. The join push after the reply, so a
	// subscriber that gets its own join has the reply first; and all of it
	// under the channel's presence lock, so no other presence event of the
	// channel comes between the change and its push.
	pl := c.e.presenceLock(ch)
	pl.Lock()
	defer pl.Unlock()
	// Nothing fails from here on: announce the subscription before its join.
	if f := c.e.cfg.OnSubscribe; f != nil {
		s.announced.Store(true)
		f(SubscribeEvent{AppID: ch.App, Channel: ch.Name, UserID: c.user, ClientID: c.id})
	}
	s.holdPresence()
	first := c.joinPresence(ctx, s)
	s.mu.Lock()
	c.send(encodeReply(r.ID, res))
	s.finishRecoveryLocked(missed, h.Position.Offset)
	s.mu.Unlock()
	s.releasePresence()
	if first && !c.e.clusterPresence {
		c.announceJoin(s)
	}
	return nil, errNoReply
}

// abortSub undoes a subscription that failed half-way.
func (c *conn) abortSub(ctx context.Context, s *subscription) {
	c.mu.Lock()
	if c.subs[s.ch.Name] == s {
		delete(c.subs, s.ch.Name)
	}
	c.mu.Unlock()
	c.dropSub(ctx, s, "")
}

// dropSub unregisters s from hub, broker and presence; reason goes to
// OnUnsubscribe when OnSubscribe announced s.
func (c *conn) dropSub(ctx context.Context, s *subscription, reason string) {
	if f := c.e.cfg.OnUnsubscribe; f != nil && s.announced.Load() {
		f(SubscribeEvent{AppID: s.ch.App, Channel: s.ch.Name, UserID: c.user, ClientID: c.id, Reason: reason})
	}
	if s.ack {
		c.ackSubs.Add(-1)
	}
	c.e.stats.subscriptions.Add(-1)
	if c.e.hub.removeSub(s) {
		if err := c.e.broker.Unsubscribe(s.ch); err != nil {
			c.e.log.ErrorContext(ctx, "broker unsubscribe", "err", err)
		}
	}
	c.leavePresence(ctx, s)
}

func (c *conn) opUnsubscribe(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	c.mu.Lock()
	s := c.subs[r.Channel]
	delete(c.subs, r.Channel)
	c.mu.Unlock()
	if s == nil {
		return nil, errf(CodeNotSubscribed, "not subscribed to %q", r.Channel)
	}
	c.dropSub(ctx, s, UnsubscribeClient)
	return struct{}{}, nil
}

type positionResult struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

func (c *conn) opPublish(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	if !allowed(c.claims.Publish, r.Channel) {
		return nil, errf(CodePermission, "token does not allow publishing to %q", r.Channel)
	}
	if err := c.checkData(r.Data); err != nil {
		return nil, err
	}
	if err := c.checkRate(ctx); err != nil {
		return nil, err
	}
	data := append(json.RawMessage(nil), r.Data...)
	p, err := c.e.broker.Publish(ctx, ChannelID{c.app.ID, r.Channel}, data, c.user)
	if err != nil {
		return nil, internal(c, ctx, "publish", err)
	}
	c.e.stats.published.Add(1)
	c.usage.addPublish()
	if f := c.e.cfg.OnPublish; f != nil {
		f(PublishEvent{AppID: c.app.ID, Channel: r.Channel, UserID: c.user, Offset: p.Offset, Size: len(data), Data: data})
	}
	return positionResult{Offset: p.Offset, Epoch: p.Epoch}, nil
}

func (c *conn) opHistory(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	if !allowed(c.claims.Subscribe, r.Channel) {
		return nil, errf(CodePermission, "token does not allow reading %q", r.Channel)
	}
	h, err := c.e.History(ctx, c.app.ID, r.Channel, HistoryFilter{Since: r.Since, Until: r.Until, Limit: r.Limit, Latest: r.Latest})
	var perr *Error
	if errors.As(err, &perr) {
		return nil, perr
	}
	if err != nil {
		return nil, internal(c, ctx, "history", err)
	}
	return h, nil
}

func (c *conn) opAck(ctx context.Context, r *request) (any, *Error) {
	c.mu.Lock()
	s := c.subs[r.Channel]
	c.mu.Unlock()
	if s == nil {
		return nil, errf(CodeNotSubscribed, "ack: not subscribed to %q", clip(r.Channel, 64))
	}
	s.acked(r.Offset)
	return nil, nil
}
