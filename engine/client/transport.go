package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// transport is one WebSocket connection and its requests in flight.
type transport struct {
	c  *Client
	ws *websocket.Conn

	mu      sync.Mutex
	pending map[uint64]chan reply
	dead    bool
	err     error
	done    chan struct{}

	// Silence longer than deadAfter means the connection is dead; it is
	// set from the connect result (ping interval + pong timeout). One timer
	// per connection checks lastRead, instead of a deadline per read.
	deadAfter atomic.Int64 // nanoseconds
	lastRead  atomic.Int64 // Unix nanoseconds
	watchdog  *time.Timer

	// buf holds the message being read; only readLoop uses it. Reusing it
	// saves io.ReadAll's growing allocations for every message.
	buf []byte
	// frame and strings are readLoop's too: the frame decoded last, and the
	// strings it may reuse for the next one.
	frame   inFrame
	strings stringCache
}

// Bounds of the reusable read buffer: one big message must not pin its
// size for the connection's lifetime.
const (
	minReadBuffer = 4 << 10
	maxReadBuffer = 64 << 10
)

var errSilent = errors.New("switchboard: no frame from the server within ping interval + pong timeout")

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
}

// inFrame is any server frame.
type inFrame struct {
	ID     uint64          `json:"id"`
	Type   string          `json:"type"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`

	Channel          string            `json:"channel"`
	Offset           uint64            `json:"offset"`
	Epoch            string            `json:"epoch"`
	Data             json.RawMessage   `json:"data"`
	From             string            `json:"from"`
	Time             int64             `json:"time"`
	Event            string            `json:"event"`
	User             string            `json:"user"`
	State            map[string]string `json:"state"`
	MessageID        int64             `json:"message_id"`
	Offline          bool              `json:"offline"`
	ExpiresAt        int64             `json:"expires_at"`
	ReconnectAfterMS int64             `json:"reconnect_after_ms"`
}

func newTransport(c *Client, ws *websocket.Conn) *transport {
	t := &transport{c: c, ws: ws, pending: make(map[uint64]chan reply), done: make(chan struct{})}
	t.deadAfter.Store(int64(60 * time.Second))
	t.lastRead.Store(time.Now().UnixNano())
	t.watchdog = time.AfterFunc(60*time.Second, t.checkAlive)
	return t
}

// checkAlive kills the connection after too long a silence.
func (t *transport) checkAlive() {
	silent := time.Duration(time.Now().UnixNano() - t.lastRead.Load())
	d := time.Duration(t.deadAfter.Load())
	if silent >= d {
		t.die(errSilent)
		return
	}
	t.watchdog.Reset(d - silent)
}

func (t *transport) readLoop() {
	ctx := context.Background()
	for {
		b, err := t.readMessage(ctx)
		t.lastRead.Store(time.Now().UnixNano())
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) && ce.Code >= 4000 {
				err = &CloseError{Code: int(ce.Code), Reason: ce.Reason}
			}
			t.die(err)
			return
		}
		f := &t.frame
		if err := decodeFrameCached(b, f, &t.strings); err != nil {
			t.c.o.logger.Warn("switchboard: invalid frame from server", "err", err)
			continue
		}
		if f.ID != 0 {
			t.mu.Lock()
			ch := t.pending[f.ID]
			delete(t.pending, f.ID)
			t.mu.Unlock()
			if ch != nil {
				ch <- reply{Result: f.Result, Error: f.Error}
			}
			continue
		}
		t.c.handlePush(t, f)
	}
}

// readMessage reads the next message into t.buf. The bytes are valid until
// the next call; decodeFrame copies what it keeps.
func (t *transport) readMessage(ctx context.Context) ([]byte, error) {
	_, r, err := t.ws.Reader(ctx)
	if err != nil {
		return nil, err
	}
	b := t.buf[:0]
	if cap(b) == 0 {
		b = make([]byte, 0, minReadBuffer)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if cap(b) <= maxReadBuffer {
		t.buf = b
	} else {
		t.buf = nil
	}
	return b, nil
}

// die marks the transport dead and fails its requests in flight.
func (t *transport) die(err error) {
	t.mu.Lock()
	if t.dead {
		t.mu.Unlock()
		return
	}
	t.dead, t.err = true, err
	t.pending = nil
	close(t.done)
	t.mu.Unlock()
	t.watchdog.Stop()
	t.ws.CloseNow()
}

// send writes one frame without waiting for a reply.
func (t *transport) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// Writes never use the caller's context: cancelling it would close the
	// WebSocket for everyone.
	if err := t.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.die(err)
		return ErrDisconnected
	}
	return nil
}

// call sends a request and waits for its reply.
func (t *transport) call(ctx context.Context, op string, params map[string]any) (json.RawMessage, error) {
	id := t.c.nextID.Add(1)
	req := make(map[string]any, len(params)+2)
	for k, v := range params {
		req[k] = v
	}
	req["id"], req["op"] = id, op
	ch := make(chan reply, 1)
	t.mu.Lock()
	if t.dead {
		t.mu.Unlock()
		return nil, ErrDisconnected
	}
	t.pending[id] = ch
	t.mu.Unlock()
	if err := t.send(req); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return nil, r.Error
		}
		return r.Result, nil
	case <-t.done:
		return nil, ErrDisconnected
	case <-ctx.Done():
		t.mu.Lock()
		if t.pending != nil {
			delete(t.pending, id)
		}
		t.mu.Unlock()
		return nil, ctx.Err()
	}
}
