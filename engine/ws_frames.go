package engine

import (
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

	mu        sync.Mutex
	closeSent bool   // a close frame went out: nothing may follow it
	buf       []byte // batch scratch; nil between batches
}

func newFrameWriter(nc net.Conn) *frameWriter {
	return &frameWriter{nc: nc}
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
	if len(frames) == 1 {
		_, err := w.nc.Write(frames[0])
		return err
	}
	for _, f := range frames {
		if len(w.buf)+len(f) > maxBatchBytes && len(w.buf) > 0 {
			if _, err := w.nc.Write(w.buf); err != nil {
				w.buf = nil
				return err
			}
			w.buf = w.buf[:0]
		}
		if len(f) >= maxBatchBytes {
			if _, err := w.nc.Write(f); err != nil {
				w.buf = nil
				return err
			}
			continue
		}
		w.buf = append(w.buf, f...)
	}
	var err error
	if len(w.buf) > 0 {
		_, err = w.nc.Write(w.buf)
	}
	w.buf = nil // an idle connection keeps no batch buffer
	return err
}
