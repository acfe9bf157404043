package bench

import (
	"fmt"
	"io"
	"time"
)

// cpuMeter measures the CPU time the server and this process use during
// the load, so that a run on a busy machine still shows what each side
// costs per delivery (wall-clock latency depends on what else runs).
type cpuMeter struct {
	pid          int
	server, self time.Duration
	serverOK     bool
	writes       int64 // the server's write calls at start
	writesOK     bool
}

func startCPUMeter(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, self: selfCPU()}
	if pid > 0 {
		var err error
		m.server, err = ReadCPU(pid)
		m.serverOK = err == nil
		m.writes, err = ReadWriteCalls(pid)
		m.writesOK = err == nil
	}
	return m
}

// print writes the CPU used since start, in total, as a share of one core
// over wall, and per delivery.
func (m *cpuMeter) print(w io.Writer, wall time.Duration, deliveries uint64) {
	line := func(who string, d time.Duration) {
		per := 0.0
		if deliveries > 0 {
			per = float64(d.Microseconds()) / float64(deliveries)
		}
		fmt.Fprintf(w, "bench: %s CPU %.2fs (%.0f%% of a core), %.1f µs per delivery\n",
			who, d.Seconds(), 100*d.Seconds()/wall.Seconds(), per)
	}
	if s := selfCPU(); s > 0 {
		line("client (this process)", s-m.self)
	}
	if m.serverOK {
		if s, err := ReadCPU(m.pid); err == nil {
			line("server", s-m.server)
		}
	}
	if n, err := ReadWriteCalls(m.pid); m.writesOK && err == nil && n > m.writes {
		fmt.Fprintf(w, "bench: server write calls %d, %.2f deliveries per call (SQLite's writes included)\n",
			n-m.writes, float64(deliveries)/float64(n-m.writes))
	}
}
