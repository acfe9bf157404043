package bench

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBucketsRoundTrip(t *testing.T) {
	// Every value falls into a bucket whose upper bound is at or above it,
	// within 0.2 %, and bucket bounds increase strictly.
	for _, us := range []int64{0, 1, 999, 1023, 1024, 1025, 2047, 2048, 5000, 123456, 1 << 40, 1<<62 + 12345} {
		b := bucketOf(us)
		if b < 0 || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", us, b, numBuckets)
		}
		hi := bucketHigh(b)
		if hi < us {
			t.Errorf("bucketHigh(bucketOf(%d)) = %d, below the value", us, hi)
		}
		if us >= 1024 && float64(hi-us) > 0.002*float64(us) {
			t.Errorf("bucket of %d ends at %d: error over 0.2%%", us, hi)
		}
		if us < 1024 && hi != us {
			t.Errorf("value %d µs: got bucket bound %d, want exact", us, hi)
		}
	}
	for b := 1; b < numBuckets; b++ {
		if bucketHigh(b) <= bucketHigh(b-1) {
			t.Fatalf("bucketHigh(%d) = %d, not above bucketHigh(%d) = %d", b, bucketHigh(b), b-1, bucketHigh(b-1))
		}
		if bucketOf(bucketHigh(b)) != b {
			t.Fatalf("bucketOf(bucketHigh(%d)) = %d", b, bucketOf(bucketHigh(b)))
		}
	}
}

func TestQuantilesMatchSortedValues(t *testing.T) {
	tests := []struct {
		name string
		gen  func(r *rand.Rand) int64 // µs
	}{
		{"sub-millisecond", func(r *rand.Rand) int64 { return r.Int64N(1000) }},
		{"milliseconds", func(r *rand.Rand) int64 { return 500 + r.Int64N(50_000) }},
		{"long tail", func(r *rand.Rand) int64 { return int64(r.ExpFloat64() * 3000) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h Histogram
			vals := make([]int64, 100_000)
			for i := range vals {
				vals[i] = tt.gen(r)
				h.Record(time.Duration(vals[i]) * time.Microsecond)
			}
			slices.Sort(vals)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
				want := vals[max(0, int(q*float64(len(vals)))-1)]
				got := h.Quantile(q).Microseconds()
				if got < want || float64(got-want) > 0.002*float64(want)+1 {
					t.Errorf("p%g = %d µs, want %d µs (within 0.2%%)", q*100, got, want)
				}
			}
			if got, want := h.Max().Microseconds(), vals[len(vals)-1]; got != want {
				t.Errorf("max = %d µs, want %d", got, want)
			}
			if got := h.Count(); got != uint64(len(vals)) {
				t.Errorf("count = %d, want %d", got, len(vals))
			}
		})
	}
}

func TestQuantileEdgeCases(t *testing.T) {
	var h Histogram
	if got := h.Quantile(0.99); got != 0 {
		t.Errorf("empty p99 = %v, want 0", got)
	}
	h.Record(-time.Second) // clock step: counts as 0
	h.Record(3 * time.Millisecond)
	if got := h.Quantile(0.5); got != 0 {
		t.Errorf("p50 = %v, want 0", got)
	}
	if got := h.Quantile(1); got != 3*time.Millisecond {
		t.Errorf("p100 = %v, want 3ms", got)
	}
	// A bucket bound above the maximum is capped at the maximum.
	var g Histogram
	g.Record(5001 * time.Microsecond)
	if got := g.Quantile(0.99); got != 5001*time.Microsecond {
		t.Errorf("single value p99 = %v, want 5.001ms", got)
	}
}

func TestSnapshotSubIsTheInterval(t *testing.T) {
	var h Histogram
	for range 1000 {
		h.Record(100 * time.Millisecond)
	}
	before := h.Snapshot()
	for range 100 {
		h.Record(2 * time.Millisecond)
	}
	win := h.Snapshot().Sub(before)
	if got := win.Count(); got != 100 {
		t.Fatalf("interval count = %d, want 100", got)
	}
	if got := win.Quantile(0.99); got < 2*time.Millisecond || got > 2002*time.Microsecond {
		t.Errorf("interval p99 = %v, want 2ms within 0.1%% (the old 100 ms values must not count)", got)
	}
}

func TestRecordConcurrentAndAllocationFree(t *testing.T) {
	var h Histogram
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10_000 {
				h.Record(time.Duration(g*10_000+i) * time.Microsecond)
			}
		}()
	}
	wg.Wait()
	if got := h.Count(); got != 80_000 {
		t.Fatalf("count = %d, want 80000", got)
	}
	if got := h.Max(); got != 79_999*time.Microsecond {
		t.Errorf("max = %v, want 79.999ms", got)
	}
	if a := testing.AllocsPerRun(1000, func() { h.Record(1234 * time.Microsecond) }); a != 0 {
		t.Errorf("Record allocates %v times per call, want 0", a)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	b.RunParallel(func(pb *testing.PB) {
		d := time.Duration(0)
		for pb.Next() {
			d += 7 * time.Microsecond
			h.Record(d % (50 * time.Millisecond))
		}
	})
}
