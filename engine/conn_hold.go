package engine

import "context"

// runOp runs one frame's op. When an EventSync wants the connection's app
// (always for connect, whose app is not known yet), the connection's
// writes are held while the op runs and until its events are durable:
// the client gets no reply, push or publication queued meanwhile before
// then, so a kill -9 after the client saw its reply loses none of the
// op's events. Connections of other apps are never held.
func (c *conn) runOp(ctx context.Context, b []byte) {
	es := c.e.cfg.EventSync
	if es == nil || (c.connected.Load() && !es.Wants(c.app.ID)) {
		c.handleFrame(ctx, b)
		return
	}
	c.hold()
	defer c.release()
	c.handleFrame(ctx, b)
	c.e.syncEvents(ctx, c.app.ID)
}

// hold stops the connection's writes after the frames already taken.
func (c *conn) hold() {
	c.qmu.Lock()
	c.held = true
	c.qmu.Unlock()
}

// release lets the held frames go: to a flusher turn, or to a writeLoop
// when a close after flush is due.
func (c *conn) release() {
	c.qmu.Lock()
	c.held = false
	if c.writing || c.closed || (len(c.queue) == 0 && !c.closeAfter) {
		c.qmu.Unlock()
		return
	}
	c.writing = true
	closing := c.closeAfter
	c.qmu.Unlock()
	if closing {
		go c.writeLoop() // the close handshake may block: not on a flusher worker
		return
	}
	c.e.flusher.push(c)
}
