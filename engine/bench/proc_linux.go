package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ReadRSS returns the resident set size of process pid in bytes, from the
// VmRSS line of /proc/<pid>/status.
func ReadRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS of process %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read RSS of process %d: %w", pid, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read RSS of process %d: %w", pid, err)
	}
	return 0, fmt.Errorf("read RSS of process %d: no VmRSS line", pid)
}

// fdHeadroom is what the bench process needs besides its connections.
const fdHeadroom = 64

// ensureFDs raises the soft open-file limit (up to the hard limit) so that
// conns connections fit, or says which limit is too low. Go programs raise
// their soft limit to the hard limit at start-up, so this usually finds
// nothing to do; the child server, also a Go program, does the same.
func ensureFDs(conns int) error {
	need := uint64(conns + fdHeadroom)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("bench: open-file limit: %w", err)
	}
	if lim.Cur >= need {
		return nil
	}
	if lim.Max < need {
		return fmt.Errorf("bench: %d connections need about %d open files, but the hard limit (ulimit -Hn) is %d", conns, need, lim.Max)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("bench: raise open-file limit to %d: %w", lim.Max, err)
	}
	return nil
}

// childAttr puts the server in its own process group, so that Ctrl+C
// reaches only the bench (which then closes its clients and stops the
// server in order), and kills it if the bench dies.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
