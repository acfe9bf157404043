package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram records latencies with microsecond resolution in fixed,
// log-linear buckets: values below 1,024 µs are exact, larger ones are kept
// with 9 significant bits (a relative error under 0.2 %). Record never
// allocates and is safe for concurrent use; the whole histogram is about
// 224 KiB.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64 // µs
}

const (
	subBits    = 10 // values < 1<<subBits µs are exact
	halfSub    = 1 << (subBits - 1)
	maxExp     = 53 // bits.Len64 of a positive int64 is at most 63: e <= 53
	numBuckets = (1 << subBits) + maxExp*halfSub
)

// bucketOf maps a value in µs to its bucket.
func bucketOf(us int64) int {
	if us < 1<<subBits {
		return int(us)
	}
	e := bits.Len64(uint64(us)) - subBits // >= 1
	m := int(uint64(us) >> e)             // in [halfSub, 2*halfSub)
	return (1 << subBits) + (e-1)*halfSub + (m - halfSub)
}

// bucketHigh is the largest value in µs that falls into bucket b.
func bucketHigh(b int) int64 {
	if b < 1<<subBits {
		return int64(b)
	}
	b -= 1 << subBits
	e := b/halfSub + 1
	m := int64(b%halfSub + halfSub)
	return (m+1)<<e - 1
}

// Record adds one latency. Negative durations (a clock step) count as 0.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.counts[bucketOf(us)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			break
		}
	}
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max is the largest recorded value (exact, at µs resolution).
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Snapshot copies the current bucket counts, for percentiles over an
// interval (see Snapshot.Sub).
func (h *Histogram) Snapshot() *Snapshot {
	s := &Snapshot{max: h.max.Load()}
	for i := range h.counts {
		c := h.counts[i].Load()
		s.counts[i] = c
		s.total += c
	}
	return s
}

// Quantile returns the value at quantile q (0..1) of everything recorded.
func (h *Histogram) Quantile(q float64) time.Duration { return h.Snapshot().Quantile(q) }

// Snapshot is a point-in-time copy of a Histogram's counts.
type Snapshot struct {
	counts [numBuckets]uint64
	total  uint64
	max    int64
}

// Sub returns the values recorded between prev and s. The max of the
// difference is approximated by its highest non-empty bucket.
func (s *Snapshot) Sub(prev *Snapshot) *Snapshot {
	d := &Snapshot{max: -1}
	for i := range s.counts {
		c := s.counts[i] - prev.counts[i]
		d.counts[i] = c
		d.total += c
		if c > 0 {
			d.max = min(bucketHigh(i), s.max)
		}
	}
	return d
}

// Count is the number of values in the snapshot.
func (s *Snapshot) Count() uint64 { return s.total }

// Quantile returns the smallest bucket bound such that at least q of the
// values are at or below it (0 when empty). The answer is exact below
// 1,024 µs and never above the recorded maximum.
func (s *Snapshot) Quantile(q float64) time.Duration {
	if s.total == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(math.Ceil(q * float64(s.total)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range s.counts {
		seen += c
		if seen >= rank {
			v := bucketHigh(i)
			if s.max >= 0 {
				v = min(v, s.max)
			}
			return time.Duration(v) * time.Microsecond
		}
	}
	return time.Duration(s.max) * time.Microsecond
}
