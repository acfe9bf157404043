package bench

import (
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// allowedList reads a process's Cpus_allowed_list from /proc.
func allowedList(t *testing.T, pid string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no Cpus_allowed_list")
	return ""
}

// A child started pinned runs on the given CPU only, and this process
// keeps all of its own.
func TestStartPinned(t *testing.T) {
	cpus, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	last := cpus[len(cpus)-1]
	cmd := exec.Command("sleep", "10")
	if err := startPinned(cmd, []int{last}); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if got, want := allowedList(t, strconv.Itoa(cmd.Process.Pid)), strconv.Itoa(last); got != want {
		t.Errorf("child on CPUs %q, want %q", got, want)
	}
	after, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, cpus) {
		t.Errorf("this thread is on %v after the start, was on %v", after, cpus)
	}
}

// PinSelf moves every thread of the process; pinning back restores it.
func TestPinSelf(t *testing.T) {
	cpus, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	defer PinSelf(cpus)
	if err := PinSelf(cpus[:1]); err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if got, want := allowedList(t, "self/task/"+task.Name()), strconv.Itoa(cpus[0]); got != want {
			t.Errorf("thread %s on CPUs %q, want %q", task.Name(), got, want)
		}
	}
}
