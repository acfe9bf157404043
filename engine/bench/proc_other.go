//go:build !linux

package bench

import (
	"errors"
	"syscall"
	"time"
)

// ReadRSS is only implemented on Linux (it reads /proc).
func ReadRSS(pid int) (int64, error) {
	return 0, errors.New("reading a process's RSS is only supported on Linux")
}

// ensureFDs leaves the open-file limit to the operating system.
func ensureFDs(conns int) error { return nil }

// childAttr has no portable equivalent of the Linux settings.
func childAttr() *syscall.SysProcAttr { return nil }

// ReadCPU is only implemented on Linux (it reads /proc).
func ReadCPU(pid int) (time.Duration, error) {
	return 0, errors.New("reading a process's CPU time is only supported on Linux")
}

func selfCPU() time.Duration { return 0 }

// ReadWriteCalls is only implemented on Linux (it reads /proc).
func ReadWriteCalls(pid int) (int64, error) {
	return 0, errors.New("reading a process's write calls is only supported on Linux")
}
