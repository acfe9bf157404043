package engine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
)

// Read and write buffer sizes of a hijacked connection. net/http hands
// over 4 KiB buffers each; at 10,000 idle connections that alone is 80 MB,
// so the engine swaps in smaller ones. Client frames are mostly small
// requests; larger frames are still read and written whole, only in more
// system calls.
const (
	wsReadBufferSize  = 512
	wsWriteBufferSize = 1024
	// maxBatchBytes flushes a batch early so one slow client cannot make
	// the engine hold a large buffer.
	maxBatchBytes = 64 << 10
)

// hijacker wraps a ResponseWriter so that hijacking it yields small bufio
// buffers over a coalescingWriter.
type hijacker struct {
	http.ResponseWriter
	cw *coalescingWriter
}

func (h *hijacker) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = nc
	pending := 0
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		pending = n
		r = io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc)
	}
	br := bufio.NewReaderSize(r, max(wsReadBufferSize, pending))
	if pending > 0 {
		br.Peek(pending) // move the already-read bytes into br's buffer
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	h.cw = &coalescingWriter{nc: nc}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(h.cw, wsWriteBufferSize)), nil
}

// coalescingWriter sits under the WebSocket's bufio.Writer. Outside a
// batch it writes through. During a batch (the send queue's writer writing
// several queued frames) it collects the bytes and sends them with one
// system call at the end: under load a busy connection gets many frames per
// write, which is most of the cost of fan-out.
type coalescingWriter struct {
	nc       net.Conn
	mu       sync.Mutex
	batching bool
	buf      []byte
}

func (w *coalescingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.batching {
		return w.nc.Write(p)
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) >= maxBatchBytes {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (w *coalescingWriter) begin() {
	w.mu.Lock()
	w.batching = true
	w.mu.Unlock()
}

// end sends what the batch collected.
func (w *coalescingWriter) end() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.batching = false
	return w.flushLocked()
}

func (w *coalescingWriter) flushLocked() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.nc.Write(w.buf)
	w.buf = nil // an idle connection keeps no batch buffer
	return err
}
