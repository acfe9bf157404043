package histogram

import (
	"sync/atomic"
	"time"
)

// Atomic is a Histogram that many goroutines add to at once without a
// lock (the engine's hot path), and that a collector empties into a plain
// Histogram every interval with Take. Its zero value is empty.
type Atomic struct {
	counts [NumBuckets]atomic.Int64
}

// Add counts one latency.
func (a *Atomic) Add(d time.Duration) { a.counts[bucketOf(d)].Add(1) }

// Take returns what was added since the last Take and empties the
// histogram. A value added during Take lands in this or the next one,
// never in both or neither.
func (a *Atomic) Take() Histogram {
	var h Histogram
	for i := range a.counts {
		if c := a.counts[i].Swap(0); c != 0 {
			h.counts[i] = c
			h.n += c
		}
	}
	return h
}
