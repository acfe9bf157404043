package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/bench"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

// benchFields is the bench command's exact JSON surface (issue 3).
var benchFields = []string{"sent", "expected", "delivered", "delivery_rate", "deliveries_per_sec",
	"p50_ms", "p90_ms", "p99_ms", "max_ms", "connect_ms", "server_rss_bytes"}

// lastJSONLine parses the last line of stdout as a JSON object.
func lastJSONLine(t *testing.T, stdout string) map[string]float64 {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	var m map[string]float64
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last stdout line %q is not a JSON object of numbers: %v", lines[len(lines)-1], err)
	}
	for _, f := range benchFields {
		if _, ok := m[f]; !ok {
			t.Errorf("report has no %q: %v", f, m)
		}
	}
	return m
}

func TestBenchCommandAgainstURL(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "-url", url, "-app-id", app.ID, "-app-cert", app.Certificate,
		"-subscribers", "20", "-channels", "2", "-rate", "20", "-duration", "2s"}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	m := lastJSONLine(t, stdout.String())
	if m["delivery_rate"] != 1 || m["sent"] != 80 || m["expected"] != 800 || m["delivered"] != 800 {
		t.Errorf("sent/expected/delivered/rate = %v/%v/%v/%v, want 80/800/800/1\n%s",
			m["sent"], m["expected"], m["delivered"], m["delivery_rate"], stderr.String())
	}
	if m["server_rss_bytes"] != 0 {
		t.Errorf("server_rss_bytes = %v with -url and no -server-pid, want 0", m["server_rss_bytes"])
	}
	if !strings.Contains(stderr.String(), "p99(interval)=") {
		t.Errorf("no progress on stderr:\n%s", stderr.String())
	}
}

// -cut-every adds the recovery figures to the JSON line.
func TestBenchCommandCutsConnections(t *testing.T) {
	url, app := enginetest.Serve(t, "bench")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "-url", url, "-app-id", app.ID, "-app-cert", app.Certificate,
		"-subscribers", "10", "-rate", "20", "-duration", "2500ms", "-cut-every", "1s", "-backoff-min", "50ms"}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	m := lastJSONLine(t, stdout.String())
	if m["cuts"] != 20 || m["recoveries"] != 20 || m["lost"] != 0 || m["duplicated"] != 0 || m["recoveries_incomplete"] != 0 || m["delivery_rate"] != 1 {
		t.Errorf("report %v: want 20 cuts, 20 recoveries, none lost, duplicated or incomplete, everything delivered\n%s", m, stderr.String())
	}
	if !(m["recovery_p99_ms"] > 0 && m["recovery_p99_ms"] <= m["recovery_max_ms"]) {
		t.Errorf("recovery_p99_ms %v, recovery_max_ms %v: want positive and ordered", m["recovery_p99_ms"], m["recovery_max_ms"])
	}
	if !strings.Contains(stderr.String(), "back-off 50ms, 10s") {
		t.Errorf("stderr does not name the back-off:\n%s", stderr.String())
	}
}

func TestBenchCommandFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "-url", "http://127.0.0.1:1"}, "-url needs -app-id and -app-cert"},
		{[]string{"bench", "-app-id", "x"}, "need -url"},
		{[]string{"bench", "extra"}, `unexpected argument "extra"`},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-server-flags", "-dev"}, "not with -url"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-webhooks"}, "not with -url"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-size", "8"}, "size must be at least"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-channels", "5", "-subscribers", "2"}, "every channel needs a subscriber"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-cut-every", "1s", "-cut-fraction", "2"}, "cut fraction must be in (0, 1]"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-backoff-min", "2s", "-backoff-max", "1s"}, "back-off must be 0 <= min <= max"},
		{[]string{"bench", "-url", "http://127.0.0.1:1", "-app-id", "a", "-app-cert", "c", "-idle", "5", "-cut-every", "1s"}, "cuts are for load mode"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tt.args, nil, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tt.args, err, tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: stdout = %q, want nothing", tt.args, stdout.String())
		}
	}
}

// TestBenchCommandStartsAndStopsItsServer runs the real binary without
// -url: it must start itself as a child server, report that server's RSS,
// and leave neither the process nor its data directory behind, also when
// interrupted.
func TestBenchCommandStartsAndStopsItsServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts child servers")
	}
	bin := filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	started := regexp.MustCompile(`started server \S+ \(pid (\d+), data (\S+)\)`)
	childOf := func(t *testing.T, stderr string) (int, string) {
		t.Helper()
		sm := started.FindStringSubmatch(stderr)
		if sm == nil {
			t.Fatalf("stderr does not name the child server:\n%s", stderr)
		}
		pid, _ := strconv.Atoi(sm[1])
		return pid, sm[2]
	}
	assertGone := func(t *testing.T, pid int, dir string) {
		t.Helper()
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("child server %d still running after bench exited", pid)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("child data directory %s still exists (err %v)", dir, err)
		}
	}

	t.Run("run", func(t *testing.T) {
		cmd := exec.Command(bin, "bench", "-subscribers", "20", "-channels", "2", "-rate", "20", "-duration", "2s")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("bench: %v\n%s", err, stderr.String())
		}
		m := lastJSONLine(t, stdout.String())
		if m["delivery_rate"] != 1 || m["delivered"] != 800 {
			t.Errorf("delivered %v (rate %v), want 800 (1)\n%s", m["delivered"], m["delivery_rate"], stderr.String())
		}
		if m["server_rss_bytes"] < 1<<20 {
			t.Errorf("server_rss_bytes = %v, want the child's RSS", m["server_rss_bytes"])
		}
		pid, dir := childOf(t, stderr.String())
		if pid == cmd.Process.Pid {
			t.Errorf("server pid %d is the bench's own: they must not share a runtime", pid)
		}
		assertGone(t, pid, dir)
	})

	// With -webhooks the child's app has an endpoint for every event type;
	// every session's events reach the bench's receiver, signed.
	t.Run("webhooks", func(t *testing.T) {
		cmd := exec.Command(bin, "bench", "-webhooks", "-subscribers", "20", "-channels", "2", "-rate", "20", "-duration", "2s")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("bench -webhooks: %v\n%s", err, stderr.String())
		}
		m := lastJSONLine(t, stdout.String())
		// A publish per message; connect, subscribe, presence.join,
		// unsubscribe, presence.leave and disconnect per subscriber; connect
		// and disconnect per publisher connection (2 channels at 20 msg/s,
		// at most 10 msg/s a connection: 4); occupied and vacated per channel.
		want := m["sent"] + 6*20 + 2*4 + 2*2
		if m["delivery_rate"] != 1 || m["webhook_events"] != want || m["webhook_bad_signatures"] != 0 {
			t.Errorf("delivery_rate %v, webhook_events %v (want %v), webhook_bad_signatures %v (want 0)\n%s",
				m["delivery_rate"], m["webhook_events"], want, m["webhook_bad_signatures"], stderr.String())
		}
		pid, dir := childOf(t, stderr.String())
		assertGone(t, pid, dir)
	})

	t.Run("interrupt", func(t *testing.T) {
		cmd := exec.Command(bin, "bench", "-subscribers", "5", "-rate", "5", "-duration", "1m")
		var stdout bytes.Buffer
		stderr := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = &stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.After(30 * time.Second)
		for !strings.Contains(stderr.String(), "connected and subscribed") {
			select {
			case err := <-exited:
				t.Fatalf("bench exited before the load started: %v\n%s", err, stderr.String())
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("bench did not start:\n%s", stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		pid, dir := childOf(t, stderr.String())
		start := time.Now()
		cmd.Process.Signal(os.Interrupt)
		if err := <-exited; err == nil {
			t.Errorf("interrupted bench exited 0, want an error status")
		}
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("bench took %v to stop after SIGINT", d)
		}
		if stdout.Len() != 0 {
			t.Errorf("interrupted bench printed a report: %q", stdout.String())
		}
		assertGone(t, pid, dir)
	})

	// With -pin the child server runs on the first half of the CPUs and
	// every thread of the bench on the rest.
	t.Run("pin", func(t *testing.T) {
		cpus, err := bench.AllowedCPUs()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "bench", "-pin", "-subscribers", "5", "-rate", "5", "-duration", "1m")
		stderr := &lockedBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
		if len(cpus) < 2 {
			if err := cmd.Wait(); err == nil || !strings.Contains(stderr.String(), "-pin needs at least 2 CPUs") {
				t.Fatalf("-pin on %v: err %v\n%s", cpus, err, stderr.String())
			}
			return
		}
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(stderr.String(), "connected and subscribed") {
			if time.Now().After(deadline) {
				t.Fatalf("bench did not start:\n%s", stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		n := len(cpus) / 2
		pid, _ := childOf(t, stderr.String())
		if got := cpusAllowed(t, fmt.Sprintf("/proc/%d/status", pid)); !slices.Equal(got, cpus[:n]) {
			t.Errorf("server on CPUs %v, want %v", got, cpus[:n])
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", cmd.Process.Pid))
		for _, task := range tasks {
			if got := cpusAllowed(t, task); !slices.Equal(got, cpus[n:]) {
				t.Errorf("bench thread %s on CPUs %v, want %v", task, got, cpus[n:])
			}
		}
	})
}

// cpusAllowed reads Cpus_allowed_list ("0", "0,2", "4-7") from a /proc
// status file.
func cpusAllowed(t *testing.T, status string) []int {
	t.Helper()
	b, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		v, ok := strings.CutPrefix(line, "Cpus_allowed_list:")
		if !ok {
			continue
		}
		var cpus []int
		for _, r := range strings.Split(strings.TrimSpace(v), ",") {
			lo, hi, isRange := strings.Cut(r, "-")
			a, err1 := strconv.Atoi(lo)
			z, err2 := strconv.Atoi(hi)
			if !isRange {
				z, err2 = a, nil
			}
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: Cpus_allowed_list %q", status, v)
			}
			for c := a; c <= z; c++ {
				cpus = append(cpus, c)
			}
		}
		return cpus
	}
	t.Fatalf("%s has no Cpus_allowed_list", status)
	return nil
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// BenchmarkEngineTargets runs the three targets with the real
// binary (child server, client and server in separate processes) and
// reports the figures as metrics. It takes about a minute:
//
//	go test -run '^$' -bench EngineTargets -benchtime 1x .
func BenchmarkEngineTargets(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	targets := []struct {
		name    string
		args    []string
		metrics []string
	}{
		{"1000subs_100msgs", []string{"-subscribers", "1000", "-channels", "1", "-rate", "100", "-duration", "10s"},
			[]string{"delivery_rate", "p99_ms", "deliveries_per_sec"}},
		{"100subs_100msgs", []string{"-subscribers", "100", "-channels", "1", "-rate", "100", "-duration", "10s"},
			[]string{"delivery_rate", "p99_ms", "deliveries_per_sec"}},
		{"10000idle", []string{"-idle", "10000", "-duration", "5s"},
			[]string{"bytes_per_conn", "server_rss_bytes"}},
	}
	for _, tt := range targets {
		b.Run(tt.name, func(b *testing.B) {
			var m map[string]float64
			for range b.N {
				cmd := exec.Command(bin, append([]string{"bench"}, tt.args...)...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					b.Fatalf("bench: %v\n%s", err, stderr.String())
				}
				lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
					b.Fatalf("report: %v", err)
				}
			}
			for _, k := range tt.metrics {
				b.ReportMetric(m[k], k)
			}
		})
	}
}
