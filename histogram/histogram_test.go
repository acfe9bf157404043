package histogram_test

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// TestBucketsMatchTheirDefinition checks the table search against the
// definition: bucket i holds (Base·2^((i-1)/16), Base·2^(i/16)].
func TestBucketsMatchTheirDefinition(t *testing.T) {
	for i := 0; i < histogram.NumBuckets-1; i++ {
		want := time.Duration(float64(histogram.Base) * math.Pow(2, float64(i)/16))
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

// A quantile is never below the exact one and at most one bucket (4.5%)
// above it, for any spread of latencies above Base.
func TestQuantileWithinOneBucket(t *testing.T) {
	var h histogram.Histogram
	var vs []time.Duration
	for i := range 5000 {
		d := histogram.Base + time.Duration(i*i)*time.Microsecond/3
		vs = append(vs, d)
		h.Add(d)
	}
	slices.Sort(vs)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := vs[int(math.Ceil(q*float64(len(vs))))-1]
		got, ok := h.Quantile(q)
		if !ok || got < exact || float64(got) > float64(exact)*1.045 {
			t.Errorf("q%v = %v, exact %v: want within [exact, exact·1.045]", q, got, exact)
		}
	}
}

// Sub of two snapshots of an Atomic is what was added between them.
func TestSnapshotSubIsTheInterval(t *testing.T) {
	var a histogram.Atomic
	for range 10 {
		a.Add(time.Millisecond)
	}
	first := a.Snapshot()
	for range 5 {
		a.Add(time.Second)
	}
	second := a.Snapshot()
	win := second.Sub(&first)
	if win.Count() != 5 {
		t.Fatalf("interval holds %d, want 5", win.Count())
	}
	if q, _ := win.Quantile(0); q < time.Second {
		t.Errorf("interval's smallest %v, want the 1 s latencies only", q)
	}
	third := a.Snapshot()
	if second.Count() != 15 || third.Count() != 15 {
		t.Errorf("Snapshot emptied the histogram: %d, %d", second.Count(), third.Count())
	}
}

func TestAtomicAddDoesNotAllocate(t *testing.T) {
	var a histogram.Atomic
	if n := testing.AllocsPerRun(1000, func() { a.Add(3 * time.Millisecond) }); n != 0 {
		t.Errorf("Add allocates %v times", n)
	}
}
