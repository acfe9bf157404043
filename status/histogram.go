package status

import (
	"time"

	"github.com/switchboard-rtm/switchboard/histogram"
)

// Histogram is the project's latency histogram (package histogram), as the
// prober stores it per minute.
type Histogram = histogram.Histogram

// The histogram's bucket layout, under the names this package has always
// used.
const (
	HistogramBase = histogram.Base
	NumBuckets    = histogram.NumBuckets
)

// BucketUpper returns the upper bound of bucket i.
func BucketUpper(i int) time.Duration { return histogram.BucketUpper(i) }
