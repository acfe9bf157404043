package bench

import (
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// latencies records durations from many goroutines at once: the project's
// histogram (package histogram) plus the exact maximum, which a bucket
// cannot give. Record never allocates.
type latencies struct {
	hist histogram.Atomic
	max  atomic.Int64 // ns
}

// Record adds one duration; a negative one (a clock step) counts as 0.
func (l *latencies) Record(d time.Duration) {
	d = max(d, 0)
	l.hist.Add(d)
	for {
		m := l.max.Load()
		if int64(d) <= m || l.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Max is the largest recorded duration.
func (l *latencies) Max() time.Duration { return time.Duration(l.max.Load()) }

// Count is the number of recorded durations.
func (l *latencies) Count() int64 {
	h := l.Snapshot()
	return h.Count()
}

// Snapshot copies the histogram so far.
func (l *latencies) Snapshot() histogram.Histogram { return l.hist.Snapshot() }

// quantile is h's q-quantile, never above the run's exact maximum
// (a bucket's upper bound can be), and 0 for an empty histogram.
func (l *latencies) quantile(h *histogram.Histogram, q float64) time.Duration {
	v, ok := h.Quantile(q)
	if !ok {
		return 0
	}
	return min(v, l.Max())
}

// Quantile is the q-quantile of everything recorded.
func (l *latencies) Quantile(q float64) time.Duration {
	h := l.Snapshot()
	return l.quantile(&h, q)
}
