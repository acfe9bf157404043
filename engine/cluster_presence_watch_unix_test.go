//go:build unix

package engine_test

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time this process has used.
func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// When a node's presence connection closes for good (NATS gone for longer
// than the client retries), its bucket watcher ends; the node then tries
// to watch anew once a second instead of spinning on the closed channel
// (which burnt a core per node: a CI run's tests starved behind it).
func TestClusterPresenceWatcherEndWithoutSpinning(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	nodes[0].presenceConn.Close()
	time.Sleep(200 * time.Millisecond)
	before := processCPU(t)
	time.Sleep(time.Second)
	if used := processCPU(t) - before; used > 400*time.Millisecond {
		t.Fatalf("the process used %v of CPU in 1 s with node A's presence connection closed: spinning", used)
	}
}
