package engine

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/coder/websocket"
)

// frameGuard reads a client's byte stream beneath github.com/coder/websocket
// and checks each frame header as soon as its bytes arrive, before any of
// the payload is read. The WebSocket library checks the read limit only as
// it reads the payload, so a header declaring 100 MB got its 1009 after
// 69 KB had come in; and it drops the TCP connection without a close frame
// on an unmasked client frame or a length of 2^63 or more. The guard
// answers each of these at once with a close frame, 1009 for a message
// over the limit and 1002 for a protocol error, and then fails every read
// so the library stops.
//
// It passes the bytes through unchanged up to the byte that gave the
// violation away, so frames before a bad one are still handled (their
// replies are dropped, since the close frame has gone out).
type frameGuard struct {
	r     io.Reader
	limit int64                         // largest data message, in payload bytes
	close func(code int, reason string) // sends the close frame

	hdr    [maxClientHeader]byte
	hn     int   // header bytes seen
	need   int   // header length, once its second byte is seen
	remain int64 // payload bytes of the current frame still to pass
	msgLen int64 // payload bytes of the open data message so far
	inMsg  bool  // a fragmented data message is open
	err    error // the violation; every later read returns it

	failed atomic.Bool // err is set (read by Close, on any goroutine)
}

// maxClientHeader is the longest header of a masked frame.
const maxClientHeader = 14

func newFrameGuard(r io.Reader, limit int64, close func(code int, reason string)) *frameGuard {
	return &frameGuard{r: r, limit: limit, close: close}
}

// Read implements io.Reader.
func (g *frameGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	k, ce := g.scan(p[:n])
	if ce == nil {
		return n, err
	}
	g.err = *ce
	g.failed.Store(true)
	g.close(int(ce.Code), ce.Reason)
	if k > 0 {
		return k, nil
	}
	return 0, g.err
}

// scan follows the frames through b. On a violation it returns how many
// bytes of b came before the byte that revealed it, and the close to send.
func (g *frameGuard) scan(b []byte) (int, *websocket.CloseError) {
	for i := 0; i < len(b); {
		if g.remain > 0 {
			skip := int(min(g.remain, int64(len(b)-i)))
			g.remain -= int64(skip)
			i += skip
			continue
		}
		g.hdr[g.hn] = b[i]
		g.hn++
		if ce := g.header(); ce != nil {
			return i, ce
		}
		i++
	}
	return len(b), nil
}

func protocolError(format string, args ...any) *websocket.CloseError {
	return &websocket.CloseError{Code: CloseProtocolError, Reason: fmt.Sprintf(format, args...)}
}

// header checks the header bytes seen so far and, once the header is
// whole, starts its payload.
func (g *frameGuard) header() *websocket.CloseError {
	if g.hn < 2 {
		return nil
	}
	b0, b1 := g.hdr[0], g.hdr[1]
	fin, op := b0&0x80 != 0, b0&0x0f
	control := op >= 8
	if g.hn == 2 {
		// Everything but the extended length is known now.
		switch {
		case b0&0x70 != 0:
			return protocolError("reserved bits set (no extension was negotiated)")
		case op > 2 && op < 8 || op > 10:
			return protocolError("reserved opcode %d", op)
		case b1&0x80 == 0:
			return protocolError("client frames must be masked")
		case op == 0 && !g.inMsg:
			return protocolError("continuation frame without a message to continue")
		case (op == 1 || op == 2) && g.inMsg:
			return protocolError("new message before the previous one ended")
		case control && (!fin || b1&0x7f > 125):
			return protocolError("control frames must be whole and at most 125 bytes")
		}
		g.need = 2 + 4
		switch b1 & 0x7f {
		case 126:
			g.need += 2
		case 127:
			g.need += 8
		}
	}
	var n int64
	switch l := int64(b1 & 0x7f); {
	case l < 126:
		n = l
	case g.hn < 4:
		return nil
	case l == 126:
		n = int64(binary.BigEndian.Uint16(g.hdr[2:4]))
	case g.hn < 10:
		return nil
	default:
		u := binary.BigEndian.Uint64(g.hdr[2:10])
		if u >= 1<<63 {
			return protocolError("payload length of 2^63 bytes or more")
		}
		n = int64(u)
	}
	if !control && g.msgLen+n > g.limit {
		return &websocket.CloseError{Code: websocket.StatusMessageTooBig, Reason: fmt.Sprintf("message over the limit of %d bytes", g.limit)}
	}
	if g.hn < g.need {
		return nil
	}
	g.hn, g.remain = 0, n
	if !control {
		g.msgLen += n
		g.inMsg = !fin
		if fin {
			g.msgLen = 0
		}
	}
	return nil
}

// closeFrame is an unmasked close frame with code and reason, the reason
// cut to fit the 125 bytes of a control frame's payload.
func closeFrame(code int, reason string) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	f := []byte{0x88, byte(2 + len(reason))}
	f = binary.BigEndian.AppendUint16(f, uint16(code))
	return append(f, reason...)
}
