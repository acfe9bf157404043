//go:build !linux

package bench

import (
	"errors"
	"os/exec"
)

var errNoPin = errors.New("bench: pinning to CPUs is only supported on Linux")

// AllowedCPUs is only implemented on Linux.
func AllowedCPUs() ([]int, error) { return nil, errNoPin }

// PinSelf is only implemented on Linux.
func PinSelf(cpus []int) error { return errNoPin }

func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) > 0 {
		return errNoPin
	}
	return cmd.Start()
}
