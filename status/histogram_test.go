package status_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

func TestHistogramBounds(t *testing.T) {
	tests := []time.Duration{0, time.Microsecond, 100 * time.Microsecond, 101 * time.Microsecond,
		time.Millisecond, 1500 * time.Microsecond, 50 * time.Millisecond, time.Second, 59 * time.Second}
	for _, d := range tests {
		var h status.Histogram
		h.Add(d)
		got, ok := h.Quantile(0.5)
		if !ok {
			t.Fatalf("%v: empty", d)
		}
		lo := max(d, status.HistogramBase)
		if got < d || float64(got) > float64(lo)*1.045 {
			t.Errorf("single %v: reported %v, want in [%v, %v]", d, got, d, time.Duration(float64(lo)*1.045))
		}
	}
	var h status.Histogram
	h.Add(10 * time.Minute) // beyond the last bound: the overflow bucket
	if got, _ := h.Quantile(1); got < time.Minute {
		t.Errorf("overflow reported %v, want at least 1 minute", got)
	}
	if _, ok := new(status.Histogram).Quantile(0.99); ok {
		t.Error("empty histogram has a quantile")
	}
}

// Merging histograms gives the same percentiles as one histogram of all
// samples, and they stay within one bucket of the exact percentile.
func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all status.Histogram
	parts := make([]status.Histogram, 7)
	var samples []time.Duration
	for i := range 5000 {
		d := time.Duration(r.ExpFloat64() * float64(3*time.Millisecond))
		samples = append(samples, d)
		all.Add(d)
		parts[i%7].Add(d)
	}
	var merged status.Histogram
	for i := range parts {
		merged.Merge(&parts[i])
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		a, _ := all.Quantile(q)
		m, _ := merged.Quantile(q)
		if a != m {
			t.Errorf("q%v: merged %v, single %v", q, m, a)
		}
		exact := samples[max(0, int(float64(len(samples))*q+0.999999)-1)]
		if m < exact || float64(m) > float64(max(exact, status.HistogramBase))*1.045 {
			t.Errorf("q%v: %v, exact %v: want within one bucket above", q, m, exact)
		}
	}
	if merged.Count() != 5000 {
		t.Errorf("count %d", merged.Count())
	}
}

func FuzzHistogramCodec(f *testing.F) {
	f.Add("[]")
	f.Add("[[0,1],[78,5]]")
	f.Add("[[1,2]")
	f.Add("[[79,1]]")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := status.DecodeHistogram(s)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to a form that decodes to the same.
		h2, err := status.DecodeHistogram(h.Encode())
		if err != nil || h2 != h {
			t.Fatalf("%q: round trip %v", s, err)
		}
	})
}
