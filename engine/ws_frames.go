package engine

import (
	"bytes"
	"encoding/binary"
	"net"
	"sync"
)

// wsFrame is one complete, unmasked WebSocket text frame: header and
// payload. Server frames are never masked, so one encoding of a
// publication is valid on every subscriber's connection: the engine builds
// it once and every send queue shares it.
type wsFrame []byte

// maxFrameHeader is the longest header of an unmasked frame.
const maxFrameHeader = 10

// textFrame frames payload as a final text frame (RFC 6455 §5.2).
func textFrame(payload []byte) wsFrame {
	f := make([]byte, 0, maxFrameHeader+len(payload))
	f = appendTextHeader(f, len(payload))
	return append(f, payload...)
}

func appendTextHeader(b []byte, n int) []byte {
	const finText = 0x80 | 0x1 // FIN, opcode text
	switch {
	case n <= 125:
		return append(b, finText, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, finText, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, finText, 127), uint64(n))
	}
}

// payload returns the frame's payload (the JSON text).
func (f wsFrame) payload() []byte {
	switch f[1] & 0x7f {
	case 126:
		return f[4:]
	case 127:
		return f[10:]
	default:
		return f[2:]
	}
}

// maxBatchBytes caps one coalesced write, so that a backlog does not make
// the engine hold a large buffer per connection.
const maxBatchBytes = 64 << 10

// frameWriter is the only writer of a connection's socket. The send queue
// hands it ready-made frames; github.com/coder/websocket writes its own
// control frames (pong, close) through it as the bufio.Writer's target.
// Every such control frame reaches Write in one call (it is smaller than
// the bufio buffer, which coder/websocket flushes after each frame), so the
// mutex is enough to keep frames whole on the wire.
type frameWriter struct {
	nc net.Conn
	rw rawWriter

	mu        sync.Mutex
	closeSent bool // a close frame went out: nothing may follow it
}

// batchBuffers hold coalesced frames during one write. They are shared by
// all connections, so an idle connection keeps none.
var batchBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, maxBatchBytes)
	return &b
}}

func newFrameWriter(nc net.Conn) *frameWriter {
	return &frameWriter{nc: nc, rw: newRawWriter(nc)}
}

// Write implements io.Writer for coder/websocket's control frames.
func (w *frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closeSent {
		return 0, net.ErrClosed
	}
	if len(p) > 0 && p[0]&0x0f == 0x8 {
		w.closeSent = true
	}
	return w.nc.Write(p)
}

// writeFrames writes frames in order, coalescing them into as few system
// calls as maxBatchBytes allows. It blocks until all are written.
func (w *frameWriter) writeFrames(frames []wsFrame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closeSent {
		return net.ErrClosed
	}
	bp := batchBuffers.Get().(*[]byte)
	defer batchBuffers.Put(bp)
	for len(frames) > 0 {
		p, k := coalesce((*bp)[:0], frames)
		if _, err := w.nc.Write(p); err != nil {
			return err
		}
		frames = frames[k:]
	}
	return nil
}

// coalesce returns the first frames joined in buf, as many as fit in
// maxBatchBytes (at least one, which is returned as is when it is alone or
// large), and how many it took.
func coalesce(buf []byte, frames []wsFrame) (p []byte, k int) {
	if len(frames) == 1 || len(frames[0]) >= maxBatchBytes {
		return frames[0], 1
	}
	for k < len(frames) && len(buf)+len(frames[k]) <= maxBatchBytes {
		buf = append(buf, frames[k]...)
		k++
	}
	return buf, k
}

// tryWriteFrames writes frames without blocking: as many bytes as the
// socket takes now, in one system call when they fit in maxBatchBytes.
// rest is what it did not write, in order (its first element may be the
// end of a frame); rest is all of frames when non-blocking writes are not
// supported or another write is in progress.
func (w *frameWriter) tryWriteFrames(frames []wsFrame) (rest []wsFrame, err error) {
	if !w.rw.ok() || !w.mu.TryLock() {
		return frames, nil
	}
	defer w.mu.Unlock()
	if w.closeSent {
		return nil, net.ErrClosed
	}
	bp := batchBuffers.Get().(*[]byte)
	defer batchBuffers.Put(bp)
	for len(frames) > 0 {
		p, k := coalesce((*bp)[:0], frames)
		n, err := w.rw.tryWrite(p)
		if err != nil {
			return nil, err
		}
		if n < len(p) {
			// The socket is full. The unwritten bytes must not alias the
			// pooled buffer.
			rest = append(rest, wsFrame(bytes.Clone(p[n:])))
			return append(rest, frames[k:]...), nil
		}
		frames = frames[k:]
	}
	return nil, nil
}
