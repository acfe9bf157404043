package engine

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// conn is one client WebSocket. Its reader goroutine hands each frame to a
// short-lived goroutine and waits for it, so ops run one at a time, in
// order. Everything sent to the client goes through the bounded send
// queue, written by a goroutine that exists only while the queue is
// non-empty: an idle connection holds only its reader goroutine.
type conn struct {
	e *Engine
	// ctx is every op's context: cancelled when the connection closes
	// (closeWith, cleanup) or the engine shuts down.
	ctx    context.Context
	cancel context.CancelFunc
	ws     *websocket.Conn
	fw     *frameWriter // under ws; the socket's only writer
	opened time.Time

	// Set at connect, before connected becomes true; read-only afterwards
	// except claims and bucket, which only ops touch (one at a time).
	connected atomic.Bool
	// peerOnline: the cluster's peer router listens for this user for
	// this connection (offline undoes it at cleanup).
	peerOnline bool
	// peerSeq is the highest stored peer message (JetStream sequence) this
	// connection was sent; under the user's peer lock.
	peerSeq  uint64
	id       string
	app      App
	user     string
	claims   Claims
	bucket   tokenBucket
	sdk      sdkInfo   // what the client sent in connect
	limitsAt time.Time // when bucket last took the app's limits

	expiresAt    atomic.Int64 // Unix nanoseconds
	expiringAt   atomic.Int64 // when to push "expiring"
	expiringSent atomic.Bool
	pingSentAt   atomic.Int64 // outstanding ping, 0 if none
	lastPingAt   atomic.Int64

	mu      sync.Mutex
	subs    map[string]*subscription
	ackSubs atomic.Int32

	// usage is the app's usage counters, set at connect.
	usage *appUsage

	qmu   sync.Mutex
	queue []wsFrame
	// pubs marks the publications in queue (by index), so a write can
	// count them as delivered and time them.
	pubs        []pubMark
	qbytes      int
	writing     bool
	held        bool // an op's writes wait for its events (conn_hold.go)
	closed      bool
	closeAfter  bool
	closeCode   int
	closeReason string
}

// Handler returns the WebSocket endpoint (mount it at GET /v1/ws).
func (e *Engine) Handler() http.Handler { return http.HandlerFunc(e.serveWS) }

func (e *Engine) serveWS(w http.ResponseWriter, r *http.Request) {
	if e.closing.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	opts := &websocket.AcceptOptions{OriginPatterns: e.cfg.OriginPatterns}
	if len(e.cfg.OriginPatterns) == 1 && e.cfg.OriginPatterns[0] == "*" {
		opts = &websocket.AcceptOptions{InsecureSkipVerify: true}
	}
	hj := &hijacker{ResponseWriter: w, limit: int64(e.limits.MaxFrameBytes)}
	ws, err := websocket.Accept(hj, r, opts)
	if err != nil {
		return // Accept has written the HTTP error
	}
	ws.SetReadLimit(int64(e.limits.MaxFrameBytes))
	now := e.now()
	c := &conn{e: e, ws: ws, fw: hj.fw, opened: now}
	c.ctx, c.cancel = context.WithCancel(e.ctx)
	c.lastPingAt.Store(now.UnixNano())
	if !e.hub.addOpen(c) {
		ws.Close(CloseShutdown, "server shutdown")
		return
	}
	// Read on a fresh goroutine and let ServeHTTP return: net/http then
	// drops its per-connection state (request, headers, 4 KiB buffers), and
	// the new goroutine's stack stays small. This is most of what keeps an
	// idle connection under 16 KiB.
	go c.readLoop()
}

func (c *conn) readLoop() {
	// Reads go on past a cancelled c.ctx: coder/websocket drops the socket
	// when a read's context ends, and a closing connection still reads
	// the client's close frame.
	readCtx := context.WithoutCancel(c.ctx)
	var readErr error
	for {
		typ, b, err := c.ws.Read(readCtx)
		if err != nil {
			readErr = err
			break
		}
		if typ != websocket.MessageText {
			c.sendError(0, errf(CodeBinaryFrame, "binary frames are not accepted; send JSON text frames"))
			continue
		}
		// Ops run on a short-lived goroutine (one at a time, so their order
		// is kept): JWT parsing, JSON and SQLite need deep stacks, and an
		// idle connection should not keep such a stack for its lifetime.
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.runOp(c.ctx, b)
		}()
		<-done
	}
	c.cancel()
	// Cleanup must run to the end (subscriptions, presence, hub) even
	// though the connection's own context is done.
	c.cleanup(readCtx, readErr)
}

func (c *conn) sendError(id uint64, err *Error) {
	c.e.stats.protocolErrors.Add(1)
	if c.usage != nil {
		c.usage.errored(err.Code)
	}
	c.send(encodeError(id, err))
}

// pubMark is a publication's place in a connection's send queue.
type pubMark struct {
	pos int
	p   *Publication
}

// send queues frame; false if the connection is closing. A full queue
// closes the connection as a slow consumer (4001).
func (c *conn) send(frame wsFrame) bool { return c.enqueue(frame, nil) }

// sendPub queues a publication's frame, marked for usage accounting.
func (c *conn) sendPub(p *Publication) bool { return c.enqueue(p.frame, p) }

func (c *conn) enqueue(frame wsFrame, p *Publication) bool {
	l := &c.e.limits
	c.qmu.Lock()
	if c.closed || c.closeAfter {
		c.qmu.Unlock()
		return false
	}
	if len(c.queue) >= l.SendQueueLen || c.qbytes+len(frame) > l.SendQueueBytes {
		c.qmu.Unlock()
		c.e.stats.slowConsumers.Add(1)
		c.closeWith(CloseSlowConsumer, "slow consumer: send queue full")
		return false
	}
	c.queue = append(c.queue, frame)
	c.qbytes += len(frame)
	if p != nil {
		c.pubs = append(c.pubs, pubMark{len(c.queue) - 1, p})
	}
	if !c.writing && !c.held {
		c.writing = true
		c.qmu.Unlock()
		c.e.flusher.push(c)
		return true
	}
	c.qmu.Unlock()
	return true
}

// flush is the flusher's turn at c: it writes the whole queue without
// blocking, then puts c back in line if more frames arrived. A socket that
// does not take everything gets a writeLoop of its own.
func (c *conn) flush() {
	c.qmu.Lock()
	if c.held && !c.closed {
		c.writing = false // release starts the next turn
		c.qmu.Unlock()
		return
	}
	if c.closeAfter && !c.closed && len(c.queue) == 0 {
		// The close handshake waits for the client: not on a worker.
		c.qmu.Unlock()
		go c.writeLoop()
		return
	}
	if c.closed || len(c.queue) == 0 {
		c.finishWritingLocked()
		return
	}
	batch, marks := c.queue, c.pubs
	all := marks
	c.queue, c.qbytes, c.pubs = nil, 0, nil
	c.qmu.Unlock()
	rest, err := c.fw.tryWriteFrames(batch)
	if err == nil && len(marks) > 0 {
		marks = c.accountWritten(marks, len(batch)-len(rest))
	}
	if len(rest) == 0 {
		clear(batch) // rest may share batch's array: clear only when it is empty
	}
	if err != nil {
		c.closeWith(0, "")
		c.qmu.Lock()
		c.finishWritingLocked()
		return
	}
	c.qmu.Lock()
	if len(rest) > 0 {
		// Frames queued meanwhile go after the unwritten ones.
		for _, f := range rest {
			c.qbytes += len(f)
		}
		for i := range c.pubs {
			c.pubs[i].pos += len(rest)
		}
		c.pubs = append(marks, c.pubs...)
		c.queue = append(rest, c.queue...)
		c.qmu.Unlock()
		go c.writeLoop()
		return
	}
	if len(marks) == 0 && cap(all) > 0 && cap(c.pubs) == 0 {
		clear(all)
		c.pubs = all[:0] // keep the marks' array for the next turn
	}
	if len(c.queue) > 0 || (c.closeAfter && !c.closed) {
		c.qmu.Unlock()
		c.e.flusher.push(c)
		return
	}
	c.writing = false
	c.qmu.Unlock()
}

// finishWritingLocked ends a writing turn with an empty queue (or a closed
// connection), sending the close frame that closeAfterFlush asked for. It
// unlocks qmu.
func (c *conn) finishWritingLocked() {
	c.writing = false
	c.queue, c.pubs = nil, nil // an idle connection keeps no queue memory
	code, reason := 0, ""
	if !c.closed && c.closeAfter {
		c.closed = true
		code, reason = c.closeCode, c.closeReason
	}
	c.qmu.Unlock()
	if code != 0 {
		c.ws.Close(websocket.StatusCode(code), reason)
	}
}

// writeLoop writes the queue until it is empty, blocking on the socket: it
// serves a connection whose reader is slower than its frames come. A
// backlog goes out in as few system calls as maxBatchBytes allows.
func (c *conn) writeLoop() {
	var batch []wsFrame
	for {
		c.qmu.Lock()
		if c.held && !c.closed {
			c.writing = false // release starts the next turn
			c.qmu.Unlock()
			clear(batch)
			return
		}
		if c.closed || len(c.queue) == 0 {
			c.finishWritingLocked()
			return
		}
		batch, c.queue = c.queue, batch[:0]
		marks := c.pubs
		c.qbytes, c.pubs = 0, nil
		c.qmu.Unlock()
		if err := c.fw.writeFrames(batch); err != nil {
			c.closeWith(0, "")
			clear(batch)
			return
		}
		if len(marks) > 0 {
			c.accountWritten(marks, len(batch))
		}
		clear(batch)
	}
}

// closeWith closes the WebSocket with code now, dropping queued frames.
// Code 0 closes without a close frame.
func (c *conn) closeWith(code int, reason string) {
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return
	}
	c.closed = true
	c.queue, c.qbytes, c.pubs = nil, 0, nil // queued deliveries are lost: due, not delivered
	c.closeCode = code
	c.qmu.Unlock()
	c.cancel()
	if code == 0 {
		c.ws.CloseNow()
		return
	}
	go c.ws.Close(websocket.StatusCode(code), reason)
}

// closeAfterFlush closes with code once queued frames are written.
func (c *conn) closeAfterFlush(code int, reason string) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.closed || c.closeAfter {
		return
	}
	c.closeAfter, c.closeCode, c.closeReason = true, code, reason
	if !c.writing && !c.held {
		c.writing = true
		go c.writeLoop() // the close handshake may block: not on a flusher worker
	}
}

// tick runs the connection's timers; called by the engine's sweep.
func (c *conn) tick(now time.Time) {
	l := &c.e.limits
	if !c.connected.Load() {
		if now.Sub(c.opened) > l.ConnectTimeout {
			c.closeWith(CloseConnectTimeout, "connect timeout")
		}
		return
	}
	n := now.UnixNano()
	if n >= c.expiresAt.Load() {
		c.closeWith(CloseTokenExpired, "token expired")
		return
	}
	if n >= c.expiringAt.Load() && c.expiringSent.CompareAndSwap(false, true) {
		c.send(encodeFrame(expiringPush{Type: "expiring", ExpiresAt: time.Unix(0, c.expiresAt.Load()).Unix()}))
	}
	if ps := c.pingSentAt.Load(); ps != 0 {
		if n-ps > int64(l.PongTimeout) {
			c.closeWith(CloseNoPong, "no pong")
			return
		}
	} else if n-c.lastPingAt.Load() >= int64(l.PingInterval) {
		c.pingSentAt.Store(n)
		c.lastPingAt.Store(n)
		c.send(pingFrame)
	}
	if c.ackSubs.Load() > 0 {
		c.mu.Lock()
		for _, s := range c.subs {
			if s.ack {
				s.redeliver(n)
			}
		}
		c.mu.Unlock()
	}
}

// setExpiry records the token expiry and when to push "expiring".
func (c *conn) setExpiry(now, exp time.Time) {
	lead := min(c.e.limits.ExpiringLead, exp.Sub(now)/2)
	c.expiresAt.Store(exp.UnixNano())
	c.expiringAt.Store(exp.Add(-lead).UnixNano())
	c.expiringSent.Store(false)
}

// cleanup runs once when the WebSocket is gone; readErr ended the reads.
func (c *conn) cleanup(ctx context.Context, readErr error) {
	c.qmu.Lock()
	c.closed = true
	c.queue, c.qbytes, c.pubs = nil, 0, nil
	code := c.closeCode
	c.qmu.Unlock()
	if code == 0 {
		code = peerCloseCode(readErr)
	}
	c.ws.CloseNow()
	c.mu.Lock()
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()
	for _, s := range subs {
		c.dropSub(ctx, s, UnsubscribeDisconnect)
	}
	c.e.hub.remove(c)
	if c.peerOnline {
		c.e.peers.offline(c.app.ID, c.user)
	}
	if c.connected.Load() {
		c.e.stats.connections.Add(-1)
		c.usage.disconnected(code)
		if f := c.e.cfg.OnDisconnect; f != nil {
			f(DisconnectEvent{AppID: c.app.ID, UserID: c.user, ClientID: c.id, Code: code})
		}
		c.e.syncEvents(ctx, c.app.ID)
	}
}

// accountWritten counts the marked publications among the first n frames
// of a written batch as delivered, and returns the other marks with their
// positions moved to the start of what is left.
func (c *conn) accountWritten(marks []pubMark, n int) []pubMark {
	i := 0
	for i < len(marks) && marks[i].pos < n {
		i++
	}
	c.usage.written(marks[:i], time.Now())
	rest := marks[i:]
	for j := range rest {
		rest[j].pos -= n
	}
	return rest
}
