package client

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestReadMessageBuffer reads a small, a huge and a small message: each
// arrives whole, and the huge one's buffer is not kept.
func TestReadMessageBuffer(t *testing.T) {
	msgs := [][]byte{
		[]byte(realFrames[0]),
		[]byte(`{"type":"pub","data":"` + strings.Repeat("x", 3*maxReadBuffer) + `"}`),
		[]byte(realFrames[2]),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for _, m := range msgs {
			if err := ws.Write(r.Context(), websocket.MessageText, m); err != nil {
				return
			}
		}
		ws.Close(websocket.StatusNormalClosure, "")
	}))
	defer srv.Close()
	ctx := context.Background()
	ws, _, err := websocket.Dial(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 21)
	tr := &transport{ws: ws}
	for i, want := range msgs {
		got, err := tr.readMessage(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: got %d bytes %.40q, want %d bytes %.40q", i, len(got), got, len(want), want)
		}
		if cap(tr.buf) > maxReadBuffer {
			t.Fatalf("message %d: kept a %d-byte read buffer, want at most %d", i, cap(tr.buf), maxReadBuffer)
		}
	}
	if _, err := tr.readMessage(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after the last message: err = %v, want a normal closure", err)
	}
}

// BenchmarkReadFrames measures the client's receive path over a real
// WebSocket: reading and decoding each message the way readLoop did before
// (Read and json.Unmarshal) and now. The server writes pre-encoded frames in
// big batches, so the figure is mostly the client's cost.
//
//	go test ./engine/client -run '^$' -bench ReadFrames -benchtime 100000x
func BenchmarkReadFrames(b *testing.B) {
	frame := []byte(`{"type":"pub","channel":"bench","offset":123456,"epoch":"f3a9c2d1","data":{"text":"a message of a typical size, about one hundred bytes long, sent to every subscriber"},"from":"alice","time":1764064800123}`)
	readers := []struct {
		name string
		read func(context.Context, *transport, *inFrame) error
	}{
		{"Read+json.Unmarshal", func(ctx context.Context, t *transport, f *inFrame) error {
			_, m, err := t.ws.Read(ctx)
			if err != nil {
				return err
			}
			*f = inFrame{}
			return json.Unmarshal(m, f)
		}},
		{"readMessage+decodeFrame", func(ctx context.Context, t *transport, f *inFrame) error {
			m, err := t.readMessage(ctx)
			if err != nil {
				return err
			}
			return decodeFrame(m, f)
		}},
	}
	for _, rd := range readers {
		b.Run(rd.name, func(b *testing.B) {
			srv := httptest.NewServer(rawFrameServer(b, frame, b.N))
			defer srv.Close()
			ctx := context.Background()
			ws, _, err := websocket.Dial(ctx, srv.URL, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer ws.CloseNow()
			tr := &transport{ws: ws}
			var f inFrame
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := rd.read(ctx, tr, &f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// rawFrameServer upgrades to a WebSocket by hand and writes n copies of
// frame as unmasked text frames, many per write.
func rawFrameServer(b *testing.B, frame []byte, n int) http.Handler {
	if len(frame) < 126 || len(frame) > 0xffff {
		b.Fatalf("frame of %d bytes: want a 16-bit length", len(frame))
	}
	wire := append([]byte{0x81, 126, byte(len(frame) >> 8), byte(len(frame))}, frame...)
	const perWrite = 256
	batch := bytes.Repeat(wire, perWrite)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n\r\n"))
		for i := 0; i < n; i += perWrite {
			if _, err := conn.Write(batch[:min(perWrite, n-i)*len(wire)]); err != nil {
				return
			}
		}
		io.Copy(io.Discard, conn) // until the client closes
	})
}
