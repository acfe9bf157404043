package webhooks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/webhooks"
)

// BenchmarkDeliver measures webhook events per second from Enqueue to a
// local receiver's 2xx, through the SQLite outbox, with one endpoint
// (strictly in order: one request at a time) and with eight endpoints of
// eight apps (delivered in parallel).
//
//	go test ./webhooks -run '^$' -bench Deliver -benchtime 2000x
func BenchmarkDeliver(b *testing.B) {
	for _, endpoints := range []int{1, 8} {
		b.Run(fmt.Sprintf("endpoints=%d", endpoints), func(b *testing.B) {
			s := startServiceB(b, webhooks.Config{QueueLen: 1 << 20, MaxPending: 1 << 20})
			rc := newReceiver(b, nil)
			for i := range endpoints {
				if _, err := s.Add(b.Context(), webhooks.NewEndpoint{AppID: fmt.Sprint("app", i), URL: rc.url(), Events: []string{webhooks.TypeConnect}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				connectEvent(s, fmt.Sprint("app", i%endpoints), i)
			}
			for len(rc.requests()) < b.N {
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}
