package client

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkReceive measures the whole receive path of a subscribed Client,
// per message: the WebSocket read, decoding, the dispatcher and the
// handler, over a real loopback connection. The fake server answers
// connect and subscribe, then writes b.N "pub" frames (the engine's
// encoding, a 128-byte bench payload, increasing offsets) as fast as the
// socket takes them, many per write. cpu-ns/msg is the process's CPU time
// (user+system, both ends; the server's part is a few syscalls per 256
// frames) divided by the messages.
//
//	cd engine/client && go test -run '^$' -bench Receive -benchtime 200000x -count 5
func BenchmarkReceive(b *testing.B) {
	srv := httptest.NewServer(pubStreamServer(b, b.N))
	defer srv.Close()
	ctx := context.Background()
	c, err := Dial(ctx, "ws"+srv.URL[len("http"):], "token")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var got atomic.Int64
	done := make(chan struct{})
	n := int64(b.N)
	h := func(m Message) {
		if len(m.Data) == 0 {
			b.Error("empty data")
		}
		if got.Add(1) == n {
			close(done)
		}
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	if _, err := c.Subscribe(ctx, "bench", h); err != nil {
		b.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("received %d of %d messages", got.Load(), n)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/msg")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pubStreamServer is a minimal engine for one client: it upgrades by hand,
// replies to connect and subscribe, then writes n publications to the
// subscribed channel.
func pubStreamServer(b *testing.B, n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, ok := acceptSubscriber(w, r)
		if !ok {
			return
		}
		defer conn.Close()
		// The server side allocates nothing per message, so allocs/op is
		// the client's.
		const perWrite = 256
		var batch, f []byte
		for off := 1; off <= n; {
			batch = batch[:0]
			for k := 0; k < perWrite && off <= n; k, off = k+1, off+1 {
				f = appendPub(f[:0], off)
				batch = serverFrame(batch, f)
			}
			if _, err := conn.Write(batch); err != nil {
				return
			}
		}
		<-r.Context().Done()
	})
}

// benchPayload is a 128-byte payload as bench -size 128 sends.
var benchPayload = func() []byte {
	p := []byte(`{"t":1764064800123456789,"p":"`)
	for len(p) < 126 {
		p = append(p, 'x')
	}
	return append(p, `"}`...)
}()

// appendPub appends the engine's "pub" push for offset off.
func appendPub(f []byte, off int) []byte {
	f = append(f, `{"type":"pub","channel":"bench","offset":`...)
	f = strconv.AppendInt(f, int64(off), 10)
	f = append(f, `,"epoch":"f3a9c2d1","data":`...)
	f = append(f, benchPayload...)
	return append(f, `,"from":"bench-pub-0","time":1764064800123}`...)
}

// acceptSubscriber upgrades by hand and answers the client's connect and
// subscribe; afterwards it discards whatever the client sends.
func acceptSubscriber(w http.ResponseWriter, r *http.Request) (net.Conn, bool) {
	h := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, false
	}
	conn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n\r\n"))
	br := rw.Reader
	for {
		msg, ok := readClientFrame(br)
		if !ok {
			conn.Close()
			return nil, false
		}
		var req struct {
			ID uint64 `json:"id"`
			Op string `json:"op"`
		}
		json.Unmarshal(msg, &req)
		id := strconv.FormatUint(req.ID, 10)
		if req.Op == "connect" {
			conn.Write(serverFrame(nil, `{"id":`+id+
				`,"result":{"client":"c1","user":"u","app":"a","expires_at":0,"ping_interval_ms":25000,"pong_timeout_ms":10000}}`))
		}
		if req.Op == "subscribe" {
			conn.Write(serverFrame(nil, `{"id":`+id+`,"result":{"offset":0,"epoch":"f3a9c2d1"}}`))
			break
		}
	}
	go func() {
		for {
			msg, ok := readClientFrame(br)
			if !ok {
				return
			}
			if msg == nil { // a close frame: answer it, so Close does not wait
				conn.Write([]byte{0x88, 0})
				conn.Close()
				return
			}
		}
	}()
	return conn, true
}

// serverFrame appends an unmasked text frame.
func serverFrame[S string | []byte](dst []byte, msg S) []byte {
	switch {
	case len(msg) < 126:
		dst = append(dst, 0x81, byte(len(msg)))
	case len(msg) <= 0xffff:
		dst = append(dst, 0x81, 126, byte(len(msg)>>8), byte(len(msg)))
	default:
		dst = append(dst, 0x81, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(len(msg)))
	}
	return append(dst, msg...)
}

// readClientFrame reads one masked frame from the client and unmasks it;
// a close frame reads as nil.
func readClientFrame(br *bufio.Reader) ([]byte, bool) {
	var hdr [14]byte
	if _, err := readFull(br, hdr[:2]); err != nil {
		return nil, false
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		if _, err := readFull(br, hdr[2:4]); err != nil {
			return nil, false
		}
		n = uint64(binary.BigEndian.Uint16(hdr[2:4]))
	case 127:
		if _, err := readFull(br, hdr[2:10]); err != nil {
			return nil, false
		}
		n = binary.BigEndian.Uint64(hdr[2:10])
	}
	var key [4]byte
	if _, err := readFull(br, key[:]); err != nil {
		return nil, false
	}
	msg := make([]byte, n)
	if _, err := readFull(br, msg); err != nil {
		return nil, false
	}
	for i := range msg {
		msg[i] ^= key[i%4]
	}
	if hdr[0]&0x0f == 0x8 {
		return nil, true
	}
	return msg, true
}

func readFull(br *bufio.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := br.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
