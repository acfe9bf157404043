package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Client is a connection to a Switchboard engine that stays up by itself.
// Create it with Dial; it is safe for concurrent use.
type Client struct {
	url string
	o   options

	nextID atomic.Uint64
	disp   *dispatcher

	mu       sync.Mutex
	token    string
	cur      *transport    // nil while disconnected
	ready    chan struct{} // closed when cur is set
	subs     map[string]*Subscription
	info     Info
	closed   bool
	closeErr error
	done     chan struct{}
	// shutdownDelay is the server's advised reconnect delay from a "shutdown" push.
	shutdownDelay time.Duration

	lastOfflineID int64 // dispatcher goroutine only
}

// Info describes the current connection.
type Info struct {
	ClientID  string
	UserID    string
	AppID     string
	ExpiresAt time.Time
}

// Dial connects to the engine's WebSocket URL (ws://host/v1/ws) and
// authenticates with token. It returns the server's error, such as
// ErrTokenExpired or ErrTokenSignature, if the first connect fails; later
// disconnects are repaired in the background.
func Dial(ctx context.Context, url, token string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	c := &Client{url: url, o: o, token: token, subs: make(map[string]*Subscription),
		ready: make(chan struct{}), done: make(chan struct{})}
	c.disp = newDispatcher()
	t, err := c.open(ctx)
	if err != nil {
		c.disp.stop()
		return nil, err
	}
	go c.run(t)
	return c, nil
}

type connectResult struct {
	Client         string `json:"client"`
	User           string `json:"user"`
	App            string `json:"app"`
	ExpiresAt      int64  `json:"expires_at"`
	PingIntervalMS int64  `json:"ping_interval_ms"`
	PongTimeoutMS  int64  `json:"pong_timeout_ms"`
}

// open dials, connects and makes the transport current.
func (c *Client) open(ctx context.Context) (*transport, error) {
	ws, _, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{HTTPClient: c.o.httpClient})
	if err != nil {
		return nil, fmt.Errorf("switchboard: dial %s: %w", c.url, err)
	}
	ws.SetReadLimit(1 << 21)
	t := newTransport(c, ws)
	go t.readLoop()
	c.mu.Lock()
	params := map[string]any{"token": c.token, "sdk": map[string]string{"name": SDKName, "version": Version}}
	c.mu.Unlock()
	if c.o.app != "" {
		params["app"] = c.o.app
	}
	raw, err := t.call(ctx, "connect", params)
	if err != nil {
		t.die(err)
		ws.Close(websocket.StatusNormalClosure, "")
		return nil, err
	}
	var r connectResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.die(err)
		return nil, fmt.Errorf("switchboard: bad connect result: %w", err)
	}
	if r.PingIntervalMS > 0 {
		ping := time.Duration(r.PingIntervalMS) * time.Millisecond
		d := ping + time.Duration(r.PongTimeoutMS)*time.Millisecond + min(5*time.Second, ping)
		t.deadAfter.Store(int64(d))
		t.watchdog.Reset(d)
	}
	info := Info{ClientID: r.Client, UserID: r.User, AppID: r.App, ExpiresAt: time.Unix(r.ExpiresAt, 0)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		t.die(ErrClosed)
		return nil, ErrClosed
	}
	c.cur, c.info, c.shutdownDelay = t, info, 0
	close(c.ready)
	c.mu.Unlock()
	if f := c.o.onConnect; f != nil {
		c.disp.push(func() { f(info) })
	}
	return t, nil
}

// run watches the current transport and reconnects when it dies.
func (c *Client) run(t *transport) {
	for {
		select {
		case <-t.done:
		case <-c.done:
			return
		}
		err := t.err
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		c.cur = nil
		c.ready = make(chan struct{})
		delay := c.shutdownDelay
		c.mu.Unlock()
		c.o.logger.Info("switchboard: disconnected", "err", err)
		if f := c.o.onDisconnect; f != nil {
			c.disp.push(func() { f(err) })
		}
		if permanent(err) {
			c.shut(err)
			return
		}
		next, ok := c.reconnect(err, delay)
		if !ok {
			return
		}
		t = next
		c.resubscribeAll(t)
	}
}

// reconnect retries until connected, closed, or a permanent error.
func (c *Client) reconnect(cause error, delay time.Duration) (*transport, bool) {
	needToken := errors.Is(cause, ErrTokenExpired) || isClose(cause, CloseTokenExpired)
	for attempt := 0; ; attempt++ {
		wait := c.backoff(attempt)
		if delay > 0 && attempt == 0 {
			wait = delay + rand.N(delay)
		}
		select {
		case <-time.After(wait):
		case <-c.done:
			return nil, false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if needToken {
			if err := c.renewToken(ctx); err != nil {
				cancel()
				c.shut(fmt.Errorf("switchboard: token expired and could not be renewed: %w", err))
				return nil, false
			}
			needToken = false
		}
		t, err := c.open(ctx)
		cancel()
		if err == nil {
			return t, true
		}
		if errors.Is(err, ErrClosed) {
			return nil, false
		}
		c.o.logger.Info("switchboard: reconnect failed", "attempt", attempt+1, "err", err)
		if errors.Is(err, ErrTokenExpired) {
			needToken = true
			continue
		}
		if permanent(err) {
			c.shut(err)
			return nil, false
		}
	}
}

func isClose(err error, code int) bool {
	var ce *CloseError
	return errors.As(err, &ce) && ce.Code == code
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.o.minBackoff << min(attempt, 20)
	if d <= 0 || d > c.o.maxBackoff {
		d = c.o.maxBackoff
	}
	return rand.N(d + 1)
}

// renewToken asks the TokenRefresher for a new token.
func (c *Client) renewToken(ctx context.Context) error {
	if c.o.refresher == nil {
		return ErrTokenExpired
	}
	tok, err := c.o.refresher(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
	return nil
}

// refreshInBand renews the token on a live connection (after "expiring").
func (c *Client) refreshInBand(t *transport) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := c.renewToken(ctx); err != nil {
		c.o.logger.Warn("switchboard: token renewal failed", "err", err)
		return
	}
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	raw, err := t.call(ctx, "refresh", map[string]any{"token": tok})
	if err != nil {
		c.o.logger.Warn("switchboard: refresh rejected", "err", err)
		return
	}
	var r struct {
		ExpiresAt int64 `json:"expires_at"`
	}
	if json.Unmarshal(raw, &r) == nil {
		c.mu.Lock()
		c.info.ExpiresAt = time.Unix(r.ExpiresAt, 0)
		c.mu.Unlock()
	}
}

// shut closes the client because of a permanent error.
func (c *Client) shut(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.closeErr = true, err
	close(c.done)
	c.mu.Unlock()
	c.o.logger.Warn("switchboard: giving up", "err", err)
}

// Close closes the connection and stops reconnecting. Handlers that have
// not started yet are dropped.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed, c.closeErr = true, ErrClosed
	close(c.done)
	t := c.cur
	c.cur = nil
	c.mu.Unlock()
	if t != nil {
		t.ws.Close(websocket.StatusNormalClosure, "")
		t.die(ErrClosed)
	}
	c.disp.stop()
	return nil
}

// Info returns the current (or last) connection's details.
func (c *Client) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Connected reports whether the client is connected right now.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil
}

// transport waits until connected (or ctx is done / the client closed).
func (c *Client) transport(ctx context.Context) (*transport, error) {
	for {
		c.mu.Lock()
		if c.closed {
			err := c.closeErr
			c.mu.Unlock()
			if errors.Is(err, ErrClosed) {
				return nil, ErrClosed
			}
			return nil, fmt.Errorf("%w: %w", ErrClosed, err)
		}
		if c.cur != nil {
			t := c.cur
			c.mu.Unlock()
			return t, nil
		}
		ready := c.ready
		c.mu.Unlock()
		select {
		case <-ready:
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// call waits for a connection and performs one request.
func (c *Client) call(ctx context.Context, op string, params map[string]any) (json.RawMessage, error) {
	t, err := c.transport(ctx)
	if err != nil {
		return nil, err
	}
	return t.call(ctx, op, params)
}

// handlePush runs on the transport's reader goroutine.
func (c *Client) handlePush(t *transport, f *inFrame) {
	switch f.Type {
	case "ping":
		t.send(map[string]string{"op": "pong"})
	case "pub":
		c.mu.Lock()
		s := c.subs[f.Channel]
		c.mu.Unlock()
		if s != nil {
			m := Message{Channel: f.Channel, Offset: f.Offset, Epoch: f.Epoch, Data: f.Data, From: f.From, Time: time.UnixMilli(f.Time)}
			c.disp.deliver(s, t, m)
		}
	case "presence":
		c.mu.Lock()
		s := c.subs[f.Channel]
		c.mu.Unlock()
		if s != nil && s.onPresence != nil {
			ev := PresenceEvent{Channel: f.Channel, Type: f.Event, User: f.User, State: f.State}
			c.disp.push(func() { s.onPresence(ev) })
		}
	case "peer":
		m := PeerMessage{From: f.From, Data: f.Data, Time: time.UnixMilli(f.Time), Offline: f.Offline, MessageID: f.MessageID}
		c.disp.push(func() { c.deliverPeer(t, m) })
	case "expiring":
		go c.refreshInBand(t)
	case "shutdown":
		c.mu.Lock()
		c.shutdownDelay = time.Duration(f.ReconnectAfterMS) * time.Millisecond
		c.mu.Unlock()
	case "error":
		c.o.logger.Warn("switchboard: server reported an error", "err", f.Error)
	}
}

func (c *Client) deliverPeer(t *transport, m PeerMessage) {
	if m.Offline {
		if m.MessageID <= c.lastOfflineID {
			t.send(map[string]any{"op": "peer_ack", "message_id": m.MessageID})
			return
		}
		c.lastOfflineID = m.MessageID
	}
	if f := c.o.onPeer; f != nil {
		f(m)
	}
	if m.Offline {
		t.send(map[string]any{"op": "peer_ack", "message_id": m.MessageID})
	}
}
