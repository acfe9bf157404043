package engine_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// rawSocket opens a WebSocket to v by hand, so that a test can send frames
// no WebSocket library would, and returns the TCP connection after the
// handshake with a reader positioned at the first server frame.
func rawSocket(t *testing.T, v *env) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", v.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: "+v.addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
	return nc, br
}

// clientHeader is a frame header as a client sends it: opcode, FIN,
// declared length and mask bit (the mask key is zero).
func clientHeader(op byte, fin bool, n uint64, masked bool) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	var b1 byte
	if masked {
		b1 = 0x80
	}
	h := []byte{b0}
	switch {
	case n < 126:
		h = append(h, b1|byte(n))
	case n <= 0xffff:
		h = binary.BigEndian.AppendUint16(append(h, b1|126), uint16(n))
	default:
		h = binary.BigEndian.AppendUint64(append(h, b1|127), n)
	}
	if masked {
		h = append(h, 0, 0, 0, 0)
	}
	return h
}

// readFrame reads one server frame and returns its opcode and payload; it
// fails if the connection ends or d passes first.
func readWireFrame(t *testing.T, nc net.Conn, br *bufio.Reader, d time.Duration) (byte, []byte) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(d))
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		t.Fatalf("no frame within %v: %v", d, err)
	}
	n := uint64(h[1] & 0x7f)
	var e [8]byte
	switch n {
	case 126:
		io.ReadFull(br, e[:2])
		n = uint64(binary.BigEndian.Uint16(e[:2]))
	case 127:
		io.ReadFull(br, e[:])
		n = binary.BigEndian.Uint64(e[:])
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		t.Fatalf("frame cut short: %v", err)
	}
	return h[0] & 0x0f, p
}

// readClose reads server frames until a close frame and returns its code.
func readClose(t *testing.T, nc net.Conn, br *bufio.Reader, d time.Duration) int {
	t.Helper()
	for {
		op, p := readWireFrame(t, nc, br, d)
		if op == 0x8 {
			if len(p) < 2 {
				t.Fatalf("close frame without a code")
			}
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

// Frames the engine must refuse are answered at once with a close frame:
// 1009 for a message over the frame limit, as soon as its header declares
// it (not after 69 KB of payload), and 1002 for protocol errors that the
// WebSocket library answered by dropping the TCP connection.
func TestBadFrameHeadersCloseAtOnce(t *testing.T) {
	limit := uint64(engine.DefaultLimits().MaxFrameBytes)
	tests := []struct {
		name   string
		frames [][]byte
		want   int
	}{
		{"100 MB declared, no payload sent", [][]byte{clientHeader(1, true, 100<<20, true)}, 1009},
		{"one byte over the limit declared", [][]byte{clientHeader(1, true, limit+1, true)}, 1009},
		{"fragments adding up to over the limit", [][]byte{
			clientHeader(1, false, limit/2, true), bytes.Repeat([]byte{' '}, int(limit/2)),
			clientHeader(0, true, limit/2+1, true)}, 1009},
		{"length of 2^63", [][]byte{clientHeader(1, true, 1<<63, true)}, 1002},
		{"length of 2^64-1", [][]byte{clientHeader(1, true, 1<<64-1, true)}, 1002},
		{"unmasked client frame", [][]byte{clientHeader(1, true, 2, false), []byte("{}")}, 1002},
		{"reserved bit", [][]byte{{0xc1, 0x80, 0, 0, 0, 0}}, 1002},
		{"reserved opcode", [][]byte{clientHeader(3, true, 0, true)}, 1002},
		{"continuation without a message", [][]byte{clientHeader(0, true, 0, true)}, 1002},
		{"control frame over 125 bytes", [][]byte{clientHeader(9, true, 126, true)}, 1002},
	}
	v := newEnv(t, nil)
	a := v.app("demo")
	bystander := v.connect(a, "bob")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc, br := rawSocket(t, v)
			for _, f := range tc.frames {
				if _, err := nc.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			if got := readClose(t, nc, br, 3*time.Second); got != tc.want {
				t.Fatalf("close code %d, want %d", got, tc.want)
			}
		})
	}
	healthy(t, bystander)
}

// A frame of exactly the frame limit is read and answered; the guard then
// still follows the stream and catches the next, unmasked, frame.
func TestFrameAtLimitIsRead(t *testing.T) {
	v := newEnv(t, nil)
	nc, br := rawSocket(t, v)
	limit := engine.DefaultLimits().MaxFrameBytes
	body := `{"id":7,"op":"history","channel":"x"}` // before connect: answered with not_connected
	msg := body + strings.Repeat(" ", limit-len(body))
	nc.Write(append(clientHeader(1, true, uint64(len(msg)), true), msg...))
	if op, p := readWireFrame(t, nc, br, 3*time.Second); op != 0x1 || !strings.Contains(string(p), `"code":104`) {
		t.Fatalf("got frame %d %s, want the not_connected reply to the frame at the limit", op, p)
	}
	nc.Write(clientHeader(1, true, 2, false))
	if got := readClose(t, nc, br, 3*time.Second); got != 1002 {
		t.Fatalf("close code %d, want 1002 for the second frame only", got)
	}
}
