package search_test

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling OS thread: with the goroutine
// locked to its thread, the difference around a call is what the call
// cost, however loaded the machine is.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
