package engine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// wsBufferSize is the read and write buffer size of a hijacked connection.
// net/http hands over 4 KiB buffers each; at 10,000 idle connections that
// alone is 80 MB, so the engine swaps in smaller ones. Larger frames are
// still read and written whole, only in more system calls.
const wsBufferSize = 1024

// smallBuffers wraps w so that hijacking it yields small bufio buffers.
func smallBuffers(w http.ResponseWriter) http.ResponseWriter { return smallBufWriter{w} }

type smallBufWriter struct{ http.ResponseWriter }

func (s smallBufWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s smallBufWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
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
	br := bufio.NewReaderSize(r, max(wsBufferSize, pending))
	if pending > 0 {
		br.Peek(pending) // move the already-read bytes into br's buffer
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, wsBufferSize)), nil
}
