package bench

import (
	"sync"
	"testing"
	"time"
)

// The bench's figures never exceed the exact maximum, a negative duration
// (the clock stepped back) counts as 0, and recording from many
// goroutines loses nothing and allocates nothing.
func TestLatencies(t *testing.T) {
	var l latencies
	if l.Quantile(0.99) != 0 || l.Max() != 0 {
		t.Fatal("an empty recorder reports a latency")
	}
	l.Record(-time.Second)
	l.Record(1003 * time.Microsecond)
	if got := l.Max(); got != 1003*time.Microsecond {
		t.Errorf("max %v, want exactly 1.003ms", got)
	}
	if got := l.Quantile(1); got != 1003*time.Microsecond {
		t.Errorf("p100 %v, want the maximum, not its bucket's bound", got)
	}
	if got := l.Quantile(0.5); got > 100*time.Microsecond {
		t.Errorf("p50 %v, want the negative duration counted as 0 (first bucket)", got)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				l.Record(time.Duration(g*1000+i) * time.Microsecond)
			}
		}()
	}
	wg.Wait()
	if h := l.Snapshot(); h.Count() != 4002 {
		t.Errorf("recorded %d, want 4002", h.Count())
	}
	if got := l.Max(); got != 3999*time.Microsecond {
		t.Errorf("max %v after the goroutines, want 3.999ms", got)
	}
	if n := testing.AllocsPerRun(1000, func() { l.Record(time.Millisecond) }); n != 0 {
		t.Errorf("Record allocates %v times", n)
	}
}
