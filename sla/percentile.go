package sla

import (
	"math"
	"slices"
	"time"
)

// Infinite stands for a response that never came within a report: a wait
// already past its due time ranks above every answered response.
const Infinite = time.Duration(math.MaxInt64)

// Percentile returns the nearest-rank p-th percentile of vs (sorted in
// place): the value at rank ceil(p/100 × n). ok is false when vs is empty
// or that value is Infinite. The forum's and support's reports both use it.
func Percentile(vs []time.Duration, p int) (time.Duration, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	rank := (p*len(vs) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	v := vs[rank-1]
	if v == Infinite {
		return 0, false
	}
	return v, true
}
