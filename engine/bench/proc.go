package bench

import (
	"fmt"
	"io"
)

// serverRSS returns the server's resident memory, or 0 if pid is 0 or it
// cannot be read (the reason goes to w, if not nil).
func serverRSS(pid int, w io.Writer) int64 {
	if pid <= 0 {
		return 0
	}
	n, err := ReadRSS(pid)
	if err != nil {
		if w != nil {
			fmt.Fprintf(w, "bench: server RSS: %v\n", err)
		}
		return 0
	}
	return n
}
