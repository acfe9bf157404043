package webhooks_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
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

// BenchmarkAcknowledgedPublish measures what the durable acknowledgement
// costs: publishes per second over real WebSockets, each waiting for its
// reply, for an app without webhooks and for one whose endpoint (a local
// receiver answering 2xx) takes publish events, so each reply waits for
// the outbox commit; with one publisher, and with 32 whose waits share
// the commits (group commit).
//
//	go test ./webhooks -run '^$' -bench AcknowledgedPublish -benchtime 3000x
func BenchmarkAcknowledgedPublish(b *testing.B) {
	for _, publishers := range []int{1, 32} {
		for _, hooked := range []bool{false, true} {
			b.Run(fmt.Sprintf("publishers=%d/webhooks=%v", publishers, hooked), func(b *testing.B) {
				v := newSyncEnvURL(b, newReceiver(b, nil).url(), engine.Limits{PublishRate: 1e6, PublishBurst: 1e6})
				app := v.plain
				if hooked {
					app = v.hooked
				}
				conns := make([]*client.Client, publishers)
				for i := range conns {
					conns[i] = v.dial(b, app, fmt.Sprint("pub", i))
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for i, c := range conns {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if _, err := c.Publish(context.Background(), fmt.Sprint("ch", i), 1); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "publishes/s")
			})
		}
	}
}
