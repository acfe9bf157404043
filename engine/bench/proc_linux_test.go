package bench

import (
	"os"
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
	if _, err := ReadRSS(1 << 30); err == nil {
		t.Error("ReadRSS of a missing process succeeded")
	}
}
