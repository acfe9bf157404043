package histogram_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// TestBucketsMatchTheirDefinition checks the table search against the
// definition: bucket i holds (Base·2^((i-1)/4), Base·2^(i/4)].
func TestBucketsMatchTheirDefinition(t *testing.T) {
	for i := 0; i < histogram.NumBuckets-1; i++ {
		want := time.Duration(float64(histogram.Base) * math.Pow(2, float64(i)/4))
		if got := histogram.BucketUpper(i); got != want {
			t.Fatalf("BucketUpper(%d) = %v, want %v", i, got, want)
		}
		for _, d := range []time.Duration{want, want + 1} {
			var h histogram.Histogram
			h.Add(d)
			q, _ := h.Quantile(1)
			exp := want
			if d > want {
				exp = histogram.BucketUpper(i + 1)
			}
			if q != exp {
				t.Fatalf("latency %v reported as %v, want %v", d, q, exp)
			}
		}
	}
}

func TestAtomicTakeLosesNothing(t *testing.T) {
	var a histogram.Atomic
	var total histogram.Histogram
	var wg sync.WaitGroup
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				h := a.Take()
				total.Merge(&h)
				return
			default:
				h := a.Take()
				total.Merge(&h)
			}
		}
	}()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10000 {
				a.Add(time.Duration(g*1000+i) * time.Microsecond)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-done
	if total.Count() != 40000 {
		t.Fatalf("took %d latencies, added 40000", total.Count())
	}
	if h := a.Take(); h.Count() != 0 {
		t.Fatalf("%d left after the last Take", h.Count())
	}
}

func BenchmarkAtomicAdd(b *testing.B) {
	var a histogram.Atomic
	for i := 0; b.Loop(); i++ {
		a.Add(time.Duration(i%5000) * time.Microsecond)
	}
}
