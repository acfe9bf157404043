// Package histogram is the project's one latency histogram: fixed
// logarithmic buckets, so that histograms of different minutes, hours and
// days add up exactly and percentiles are taken from the sum. The status
// prober stores it per minute (package status); the engine counts its
// apps' server-side latency in an Atomic one (usage accounting).
package histogram

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Histograms use fixed logarithmic buckets so that histograms of
// different minutes and days can be added up exactly and percentiles taken
// from the sum. (Averaging per-minute percentiles would be wrong: the mean
// of 1,440 per-minute p99 values is not the day's p99.)
//
// Bucket 0 holds latencies up to Base (100 µs). Bucket i (1 ≤ i <
// NumBuckets-1) holds latencies in (Base·2^((i-1)/4), Base·2^(i/4)], so
// each bucket is about 19% wider than the one before. The last bucket
// holds everything above about 60 s.
const (
	Base             = 100 * time.Microsecond
	NumBuckets       = 79
	bucketsPerOctave = 4
)

// Histogram counts latencies in the fixed buckets described above. The
// zero value is empty and ready to use.
type Histogram struct {
	counts [NumBuckets]int64
	n      int64
}

// BucketUpper returns the upper bound of bucket i; the last bucket has no
// upper bound and returns the lower one.
func BucketUpper(i int) time.Duration {
	if i >= NumBuckets-1 {
		i = NumBuckets - 2
	}
	return upper[i]
}

// upper holds the buckets' upper bounds, computed once: the engine finds
// a bucket for every delivery, and a binary search over them costs a few
// comparisons where logarithms and powers cost tens of nanoseconds. It is
// never written after initialization.
var upper = func() (u [NumBuckets - 1]time.Duration) {
	for i := range u {
		u[i] = time.Duration(float64(Base) * math.Pow(2, float64(i)/bucketsPerOctave))
	}
	return u
}()

// bucketOf is the first bucket whose upper bound is at least d (the last
// bucket for anything above every bound).
func bucketOf(d time.Duration) int {
	lo, hi := 0, len(upper)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if upper[m] < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Add counts one latency.
func (h *Histogram) Add(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
}

// Merge adds every count of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// Count returns how many latencies were added.
func (h *Histogram) Count() int64 { return h.n }

// Quantile returns the upper bound of the bucket holding the latency of
// nearest rank ⌈q·n⌉, so the figure is never below the true percentile and
// at most one bucket width (about 19%) above it. It returns false for an
// empty histogram. q is clamped to [0, 1].
func (h *Histogram) Quantile(q float64) (time.Duration, bool) {
	if h.n == 0 {
		return 0, false
	}
	q = min(max(q, 0), 1)
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var cum int64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			return BucketUpper(i), true
		}
	}
	return BucketUpper(NumBuckets - 1), true
}

// Encode returns the sparse JSON form stored in SQLite: [[bucket, count], ...].
func (h *Histogram) Encode() string {
	pairs := make([][2]int64, 0, 8)
	for i, c := range h.counts {
		if c != 0 {
			pairs = append(pairs, [2]int64{int64(i), c})
		}
	}
	b, _ := json.Marshal(pairs) // cannot fail for integers
	return string(b)
}

// Decode parses the stored form. It is hand-written because a status
// summary decodes thousands of them (encoding/json made it 5× slower).
func Decode(s string) (Histogram, error) {
	var h Histogram
	if s == "" || s == "[]" {
		return h, nil
	}
	bad := func() (Histogram, error) { return Histogram{}, fmt.Errorf("decode histogram: malformed %.40q", s) }
	i := 0
	num := func() (int64, bool) {
		start := i
		var v int64
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 18 {
			v = v*10 + int64(s[i]-'0')
			i++
		}
		return v, i > start
	}
	expect := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	if !expect('[') {
		return bad()
	}
	for {
		if !expect('[') {
			return bad()
		}
		b, ok1 := num()
		ok2 := expect(',')
		c, ok3 := num()
		if !ok1 || !ok2 || !ok3 || !expect(']') || b >= NumBuckets {
			return bad()
		}
		h.counts[b] += c
		h.n += c
		if expect(']') {
			break
		}
		if !expect(',') {
			return bad()
		}
	}
	if i != len(s) {
		return bad()
	}
	return h, nil
}
