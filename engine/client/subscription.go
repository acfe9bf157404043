package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Message is a publication received on a subscription.
type Message struct {
	Channel string
	Offset  uint64 // position in the channel's stream
	Epoch   string // stream generation
	Data    json.RawMessage
	From    string // publisher's user ID ("" for server publications)
	Time    time.Time
}

// Position is a place in a channel's stream.
type Position struct {
	Offset uint64
	Epoch  string
}

// Handler receives messages of a subscription, in offset order, at most
// once per offset.
type Handler func(Message)

// PresenceEvent is a join, leave or state change in a channel.
type PresenceEvent struct {
	Channel string
	Type    string // "join", "leave" or "state"
	User    string
	State   map[string]string
}

// Recovery reports the outcome of an automatic resubscribe after a reconnect.
type Recovery struct {
	// Recovered is true when every message published while disconnected
	// was delivered; false means some were lost (outside the history window).
	Recovered bool
	// Missed is how many messages the server resent.
	Missed int
	// Err is set when the server refused the resubscription (for example
	// ErrPermissionDenied after a token renewal narrowed the permissions);
	// the subscription has then ended.
	Err error
}

// SubOption configures a subscription.
type SubOption func(*Subscription)

// WithAck asks for acknowledged delivery: the client acknowledges each
// message after the handler returns, and the server resends messages that
// were not acknowledged.
func WithAck() SubOption { return func(s *Subscription) { s.ack = true } }

// WithRecover starts the subscription from a saved position, delivering the
// messages published after it that are still in history.
func WithRecover(p Position) SubOption {
	return func(s *Subscription) { s.pos, s.recoverFrom = p, true }
}

// WithPresenceEvents delivers join, leave and state events of the channel to f.
func WithPresenceEvents(f func(PresenceEvent)) SubOption {
	return func(s *Subscription) { s.onPresence = f }
}

// WithOnResubscribe sets a callback run after each automatic resubscribe,
// saying whether recovery was complete.
func WithOnResubscribe(f func(Recovery)) SubOption {
	return func(s *Subscription) { s.onResubscribe = f }
}

// Subscription is a live subscription to one channel. It survives
// reconnects.
type Subscription struct {
	c             *Client
	channel       string
	h             Handler
	ack           bool
	recoverFrom   bool
	onPresence    func(PresenceEvent)
	onResubscribe func(Recovery)

	mu        sync.Mutex
	pos       Position // last message delivered to the handler (or subscribe position)
	active    bool     // messages are delivered to h
	confirmed bool     // the server accepted the subscription once; resubscribe it
}

type subscribeResult struct {
	Offset    uint64 `json:"offset"`
	Epoch     string `json:"epoch"`
	Recovered bool   `json:"recovered"`
	Missed    int    `json:"missed"`
}

// Subscribe subscribes to channel and calls h for each message.
func (c *Client) Subscribe(ctx context.Context, channel string, h Handler, opts ...SubOption) (*Subscription, error) {
	if h == nil {
		return nil, fmt.Errorf("switchboard: subscribe %q: nil handler", channel)
	}
	s := &Subscription{c: c, channel: channel, h: h, active: true}
	for _, o := range opts {
		o(s)
	}
	t, err := c.transport(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, dup := c.subs[channel]; dup {
		c.mu.Unlock()
		return nil, fmt.Errorf("switchboard: subscribe %q: %w", channel, ErrAlreadySubscribed)
	}
	c.subs[channel] = s
	c.mu.Unlock()
	raw, err := t.call(ctx, "subscribe", s.params(s.recoverFrom))
	if err != nil {
		c.mu.Lock()
		if c.subs[channel] == s {
			delete(c.subs, channel)
		}
		c.mu.Unlock()
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
		return nil, err
	}
	var r subscribeResult
	json.Unmarshal(raw, &r)
	s.mu.Lock()
	s.confirmed = true
	// Without recovery, start at the reply's position. With recovery in the
	// same epoch, keep the saved position: the recovered messages are still
	// on their way to the handler and advance it themselves.
	if !s.recoverFrom || r.Epoch != s.pos.Epoch {
		s.advance(Position{Offset: r.Offset, Epoch: r.Epoch})
	}
	s.mu.Unlock()
	return s, nil
}

// SubscribeChan subscribes to channel and sends each message to ch. A full
// ch delays all of this client's handlers, so give it room.
func (c *Client) SubscribeChan(ctx context.Context, channel string, ch chan<- Message, opts ...SubOption) (*Subscription, error) {
	return c.Subscribe(ctx, channel, func(m Message) { ch <- m }, opts...)
}

func (s *Subscription) params(recover bool) map[string]any {
	p := map[string]any{"channel": s.channel}
	if s.ack {
		p["ack"] = true
	}
	if s.onPresence != nil {
		p["presence"] = true
	}
	if recover {
		s.mu.Lock()
		p["recover"], p["offset"], p["epoch"] = true, s.pos.Offset, s.pos.Epoch
		s.mu.Unlock()
	}
	return p
}

// advance moves the position forward (never back) in the same epoch, or to
// a new epoch. The caller holds s.mu.
func (s *Subscription) advance(p Position) {
	if p.Epoch != s.pos.Epoch || p.Offset > s.pos.Offset {
		s.pos = p
	}
}

// deliver runs on the dispatcher goroutine.
func (s *Subscription) deliver(t *transport, m Message) {
	s.mu.Lock()
	dup := m.Epoch == s.pos.Epoch && m.Offset <= s.pos.Offset
	active := s.active
	s.mu.Unlock()
	if !dup && active {
		s.h(m)
		s.mu.Lock()
		s.advance(Position{Offset: m.Offset, Epoch: m.Epoch})
		s.mu.Unlock()
	}
	if s.ack {
		t.send(map[string]any{"op": "ack", "channel": s.channel, "offset": m.Offset})
	}
}

// Channel returns the channel name.
func (s *Subscription) Channel() string { return s.channel }

// Position returns the position of the last message delivered to the
// handler; save it to resume later with WithRecover.
func (s *Subscription) Position() Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Unsubscribe stops the subscription.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	c := s.c
	c.mu.Lock()
	if c.subs[s.channel] == s {
		delete(c.subs, s.channel)
	}
	t := c.cur
	c.mu.Unlock()
	s.mu.Lock()
	s.active, s.confirmed = false, false
	s.mu.Unlock()
	if t == nil {
		return nil // not connected: nothing to tell the server
	}
	_, err := t.call(ctx, "unsubscribe", map[string]any{"channel": s.channel})
	if err == ErrDisconnected {
		return nil
	}
	return err
}

// resubscribeAll resubscribes every active subscription with recovery,
// pipelining the requests.
func (c *Client) resubscribeAll(t *transport) {
	c.mu.Lock()
	subs := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range subs {
		s.mu.Lock()
		ok := s.active && s.confirmed
		s.mu.Unlock()
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := t.call(ctx, "subscribe", s.params(true))
			var refused *Error
			if errors.As(err, &refused) {
				c.o.logger.Warn("switchboard: resubscribe refused", "channel", s.channel, "err", err)
				c.mu.Lock()
				if c.subs[s.channel] == s {
					delete(c.subs, s.channel)
				}
				c.mu.Unlock()
				s.mu.Lock()
				s.active, s.confirmed = false, false
				s.mu.Unlock()
				if f := s.onResubscribe; f != nil {
					c.disp.push(func() { f(Recovery{Err: err}) })
				}
				return
			}
			if err != nil { // disconnected again: the next reconnect retries
				return
			}
			var r subscribeResult
			json.Unmarshal(raw, &r)
			if !r.Recovered {
				s.mu.Lock()
				if r.Epoch != s.pos.Epoch {
					s.pos = Position{Offset: r.Offset, Epoch: r.Epoch}
				}
				s.mu.Unlock()
			}
			if f := s.onResubscribe; f != nil {
				rec := Recovery{Recovered: r.Recovered, Missed: r.Missed}
				c.disp.push(func() { f(rec) })
			}
		}()
	}
	wg.Wait()
}
