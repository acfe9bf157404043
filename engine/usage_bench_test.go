package engine

import (
	"testing"
	"time"
)

// BenchmarkUsagePerDelivery is the work usage accounting adds to one
// delivery, in the shape the hot path does it: the hub's due count (once
// per publication of a 64-subscriber channel), a mark appended to the
// send queue's marks, and the write's share of counting and timing a
// 64-frame batch. Divide by the engine's CPU time per delivery (the
// bench command prints it) for the accounting's share.
//
//	go test ./engine -run '^$' -bench UsagePerDelivery
func BenchmarkUsagePerDelivery(b *testing.B) {
	const batch = 64
	var t usageTable
	u := t.of("app")
	p := &Publication{accepted: time.Now()}
	marks := make([]pubMark, 0, batch)
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		t.of("app").due.Add(batch)
		marks = marks[:0]
		for j := range batch {
			marks = append(marks, pubMark{j, p})
		}
		u.written(marks, time.Now())
	}
}
