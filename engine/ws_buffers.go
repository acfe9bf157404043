package engine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
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
// buffers over a frameWriter.
type hijacker struct {
	http.ResponseWriter
	fw *frameWriter
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
	h.fw = newFrameWriter(nc)
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(h.fw, wsWriteBufferSize)), nil
}
