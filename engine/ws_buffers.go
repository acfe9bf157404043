package engine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Read and write buffer sizes of a hijacked connection. net/http hands
// over 4 KiB buffers each; at 10,000 idle connections that alone is 80 MB,
// so the engine swaps in smaller ones. Client frames are mostly small
// requests; larger frames are still read and written whole, only in more
// system calls.
const (
	wsReadBufferSize  = 512
	wsWriteBufferSize = 1024
)

// hijacker wraps a ResponseWriter so that hijacking it yields small bufio
// buffers: the reader's over a frameGuard, the writer's over a frameWriter.
type hijacker struct {
	http.ResponseWriter
	limit int64 // the frame limit, for the frameGuard
	fw    *frameWriter
}

func (h *hijacker) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	fw := newFrameWriter(nc)
	var r io.Reader = nc
	pending := 0
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		pending = n
		r = io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc)
	}
	// coder/websocket reads the connection it is handed (and what this
	// bufio.Reader holds), so the guard sits in that connection's Read and
	// sees every byte, those net/http has read already included. The first
	// read comes after Accept has written its response, so a close frame
	// from the guard never goes out before it.
	gc := &guardedConn{Conn: nc, g: newFrameGuard(r, h.limit, func(code int, reason string) { fw.Write(closeFrame(code, reason)) })}
	br := bufio.NewReaderSize(gc, max(wsReadBufferSize, pending))
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	h.fw = fw
	return gc, bufio.NewReadWriter(br, bufio.NewWriterSize(h.fw, wsWriteBufferSize)), nil
}

// guardedConn is a client connection whose reads go through a frameGuard.
type guardedConn struct {
	net.Conn
	g         *frameGuard
	closeOnce sync.Once
}

func (c *guardedConn) Read(p []byte) (int, error) { return c.g.Read(p) }

// Lingering after a refused frame: how long and how much of what the client
// still sends is read and dropped before the socket closes.
const (
	lingerTime  = time.Second
	lingerBytes = 1 << 20
)

// Close closes the connection. After the guard has refused a frame the
// client is likely still sending it; closing with unread bytes would
// answer with a TCP reset, which can destroy the close frame before the
// client reads it. So the socket shuts its sending side and reads what
// comes, for a while, before it closes.
func (c *guardedConn) Close() error {
	if !c.g.failed.Load() {
		return c.Conn.Close()
	}
	c.closeOnce.Do(func() {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		go func() {
			c.Conn.SetReadDeadline(time.Now().Add(lingerTime))
			io.CopyN(io.Discard, c.Conn, lingerBytes)
			c.Conn.Close()
		}()
	})
	return nil
}
