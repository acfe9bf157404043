package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// maskedFrame is a client frame: first byte b0 (FIN, RSV, opcode), masked
// with a zero key.
func maskedFrame(b0 byte, payload string) []byte {
	f := []byte{b0}
	n := len(payload)
	switch {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = binary.BigEndian.AppendUint16(append(f, 0x80|126), uint16(n))
	default:
		f = binary.BigEndian.AppendUint64(append(f, 0x80|127), uint64(n))
	}
	return append(append(f, 0, 0, 0, 0), payload...)
}

// refVerdict walks a whole client stream the way RFC 6455 §5 reads it and
// returns the close code the engine owes it (0 when every frame in it is
// acceptable, the last one possibly cut short) and where the refused
// frame starts.
func refVerdict(b []byte, limit int64) (code int, at int) {
	inMsg, msgLen := false, int64(0)
	for at < len(b) {
		if len(b)-at < 2 {
			return 0, at
		}
		b0, b1 := b[at], b[at+1]
		fin, op, n7 := b0&0x80 != 0, b0&0x0f, int64(b1&0x7f)
		control := op == 8 || op == 9 || op == 10
		switch {
		case b0&0x70 != 0, op > 10, op > 2 && op < 8, b1&0x80 == 0,
			op == 0 && !inMsg, (op == 1 || op == 2) && inMsg,
			control && (!fin || n7 > 125):
			return CloseProtocolError, at
		}
		hl := 2 + 4
		n := n7
		if n7 == 126 {
			hl += 2
			if len(b)-at < 4 {
				return 0, at
			}
			n = int64(binary.BigEndian.Uint16(b[at+2:]))
		} else if n7 == 127 {
			hl += 8
			if len(b)-at < 10 {
				return 0, at
			}
			u := binary.BigEndian.Uint64(b[at+2:])
			if u >= 1<<63 {
				return CloseProtocolError, at
			}
			n = int64(u)
		}
		if !control {
			if msgLen+n > limit {
				return 1009, at
			}
			msgLen += n
			inMsg = !fin
			if fin {
				msgLen = 0
			}
		}
		if int64(len(b)-at-hl) < n {
			return 0, at
		}
		at += hl + int(n)
	}
	return 0, at
}

// chunkReader hands out its bytes in reads of at most size bytes.
type chunkReader struct {
	b    []byte
	size int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.size)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// guardRun reads all of b through a frameGuard in reads of size bytes and
// returns what passed and the close codes the guard sent.
func guardRun(t *testing.T, b []byte, size int, limit int64) ([]byte, []int) {
	var codes []int
	g := newFrameGuard(&chunkReader{b: b, size: size}, limit, func(code int, reason string) {
		if len(closeFrame(code, reason)) > 2+125 {
			t.Fatalf("close frame over 125 bytes of payload")
		}
		codes = append(codes, code)
	})
	var out bytes.Buffer
	buf := make([]byte, 512)
	for {
		n, err := g.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), codes
		}
		if err != nil {
			if n != 0 {
				t.Fatalf("read returned %d bytes with error %v", n, err)
			}
			if _, again := g.Read(buf); !errors.Is(again, err) {
				t.Fatalf("read after the refusal returned %v, want %v again", again, err)
			}
			return out.Bytes(), codes
		}
	}
}

// FuzzReadFrames fuzzes the engine's frame reader, the guard that checks
// every client frame header as its bytes arrive: whatever the bytes and
// however the reads split them, it passes a prefix of the stream through
// unchanged, refuses exactly the streams RFC 6455 refuses with the right
// close code (1002, or 1009 over the limit), sends one close frame, and
// never lets the payload of a refused frame through. CI runs the seeds;
// run longer with:
// go test ./engine -run '^$' -fuzz FuzzReadFrames -fuzztime 30s
func FuzzReadFrames(f *testing.F) {
	const limit = 300
	cat := func(fs ...[]byte) []byte { return bytes.Join(fs, nil) }
	long := string(bytes.Repeat([]byte("x"), 200))
	for _, s := range [][]byte{
		maskedFrame(0x81, `{"id":1,"op":"connect","token":"a.b.c"}`),
		cat(maskedFrame(0x81, "{}"), maskedFrame(0x89, "ping"), maskedFrame(0x8a, ""), maskedFrame(0x88, "\x03\xe8")),
		cat(maskedFrame(0x01, long), maskedFrame(0x89, ""), maskedFrame(0x80, "end")), // fragments around a ping
		cat(maskedFrame(0x01, long), maskedFrame(0x80, long)),                         // fragments over the limit
		maskedFrame(0x81, string(bytes.Repeat([]byte("y"), limit))),                   // at the limit
		maskedFrame(0x81, string(bytes.Repeat([]byte("y"), limit+1))),                 // over it
		{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0},                                       // 2^63
		{0x81, 0xff, 0, 0, 0, 0, 0x06, 0x40, 0, 0, 1, 2, 3, 4},                        // 100 MB
		{0x81, 0x02, '{', '}'},                                                // unmasked
		cat(maskedFrame(0x82, "bin"), maskedFrame(0x80, "x")),                 // continuation after a whole message
		maskedFrame(0xc1, "{}"), maskedFrame(0x83, ""), maskedFrame(0x09, ""), // rsv1, reserved opcode, fragmented ping
		{0x89, 0xfe, 0x00, 0x7e},       // 126-byte ping
		{}, {0x81}, {0x81, 0xfe, 0x01}, // cut short
	} {
		f.Add(s, uint8(7))
	}
	f.Fuzz(func(t *testing.T, b []byte, split uint8) {
		wantCode, at := refVerdict(b, limit)
		whole, codes := guardRun(t, b, len(b)+1, limit)
		for _, size := range []int{1, int(split%32) + 1} {
			out, c := guardRun(t, b, size, limit)
			if !bytes.Equal(out, whole) || len(c) != len(codes) {
				t.Fatalf("reads of %d bytes passed %d bytes and closed %v; one read passed %d and closed %v", size, len(out), c, len(whole), codes)
			}
		}
		if !bytes.HasPrefix(b, whole) {
			t.Fatalf("passed bytes are not the stream's prefix")
		}
		switch {
		case wantCode == 0 && (len(codes) != 0 || len(whole) != len(b)):
			t.Fatalf("refused an acceptable stream: closed %v after %d of %d bytes", codes, len(whole), len(b))
		case wantCode == 0:
		case len(codes) != 1 || codes[0] != wantCode:
			t.Fatalf("closed %v, want one close with %d (frame at byte %d)", codes, wantCode, at)
		case len(whole) < at || len(whole) >= at+maxClientHeader:
			t.Fatalf("passed %d bytes; the refused frame starts at %d and its payload must not pass", len(whole), at)
		}
	})
}

// BenchmarkFrameGuard measures the guard's cost on a stream of typical
// publish frames read 512 bytes at a time (the connection's read buffer).
func BenchmarkFrameGuard(b *testing.B) {
	one := maskedFrame(0x81, `{"id":12345,"op":"publish","channel":"room.1","data":{"text":"hello, world","seq":42}}`)
	stream := bytes.Repeat(one, 1000)
	buf := make([]byte, wsReadBufferSize)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		g := newFrameGuard(&chunkReader{b: stream, size: len(stream)}, 1<<16, func(int, string) { b.Fatal("refused") })
		for {
			if _, err := g.Read(buf); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/frame")
}
