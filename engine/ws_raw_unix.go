//go:build unix

package engine

import (
	"net"
	"syscall"
)

// rawWriter makes non-blocking write(2) calls on a socket, so that the
// flusher's workers never wait for a slow reader.
type rawWriter struct{ rc syscall.RawConn }

// newRawWriter supports TCP and Unix sockets; anything else (a TLS
// connection, whose bytes must go through crypto/tls) gets the zero
// rawWriter, and its frames are written by a goroutine of its own.
func newRawWriter(nc net.Conn) rawWriter {
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return rawWriter{}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return rawWriter{}
	}
	return rawWriter{rc: rc}
}

func (r rawWriter) ok() bool { return r.rc != nil }

// tryWrite writes what the socket's buffer takes now and returns how much
// that was. A full buffer is not an error.
func (r rawWriter) tryWrite(p []byte) (n int, err error) {
	var werr error
	cerr := r.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, e := syscall.Write(int(fd), p[n:])
			if e == syscall.EINTR {
				continue
			}
			if e != nil {
				if e != syscall.EAGAIN {
					werr = e
				}
				break
			}
			n += m
		}
		return true // one attempt: never wait for the socket
	})
	if cerr != nil {
		return n, cerr
	}
	return n, werr
}
