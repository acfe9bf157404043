package bench

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestReadProcOfThisProcess(t *testing.T) {
	rss, err := ReadRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("ReadRSS(self) = %d, %v; want at least 1 MiB", rss, err)
	}
	// Burn some CPU so both readings are clearly non-zero.
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	cpu, err := ReadCPU(os.Getpid())
	self := selfCPU()
	if err != nil || cpu <= 0 {
		t.Fatalf("ReadCPU(self) = %v, %v; want > 0", cpu, err)
	}
	if d := self - cpu; d < -20*time.Millisecond || d > 50*time.Millisecond {
		t.Errorf("ReadCPU = %v, getrusage = %v: want them within a few ticks", cpu, self)
	}
	w0, err := ReadWriteCalls(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		syscall.Write(2, []byte{}) // a zero-byte write is still a write(2) call
	}
	if w1, err := ReadWriteCalls(os.Getpid()); err != nil || w1 < w0+3 {
		t.Errorf("write calls went from %d to %d (%v) after three writes", w0, w1, err)
	}
	if _, err := ReadRSS(1 << 30); err == nil {
		t.Error("ReadRSS of a missing process succeeded")
	}
}
