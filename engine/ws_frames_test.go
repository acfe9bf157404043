package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// Where non-blocking writes are not available (a TLS socket, or a system
// without write(2) on sockets), the flusher hands every connection to a
// writer goroutine of its own, and every frame still arrives, whole and in
// order. A net.Pipe stands in for such a socket.
func TestFramesArriveWithoutNonBlockingWrites(t *testing.T) {
	e, _ := newTestEngine(t)
	server, client := net.Pipe()
	defer client.Close()
	c := &conn{e: e, fw: newFrameWriter(server)}
	if c.fw.rw.ok() {
		t.Fatal("a net.Pipe got non-blocking writes; the test needs a socket without them")
	}

	const n = 200
	go func() {
		for i := range n {
			c.send(textFrame(fmt.Appendf(nil, `{"n":%d}`, i)))
		}
	}()
	br := bufio.NewReader(client)
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := range n {
		var hdr [2]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		payload := make([]byte, hdr[1]&0x7f)
		if _, err := io.ReadFull(br, payload); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); hdr[0] != 0x81 || string(payload) != want {
			t.Fatalf("frame %d: header %#x payload %q, want 0x81 %q", i, hdr[0], payload, want)
		}
	}
}
