//go:build !unix

package engine

import "net"

// rawWriter is not supported on this system: every connection's frames are
// written by a goroutine of its own.
type rawWriter struct{}

func newRawWriter(net.Conn) rawWriter { return rawWriter{} }

func (rawWriter) ok() bool { return false }

func (rawWriter) tryWrite([]byte) (int, error) { return 0, nil }
