package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// BenchmarkFanout1000Webhooks is BenchmarkFanout1000Throughput three
// ways: without webhooks; with an endpoint (a local receiver answering
// 204) for every event type but publish ("lifecycle": a publication then
// costs the engine a map lookup and an uncontended lock in Sync); and with
// publish on the channel too, so every publication also becomes a webhook
// event, stored in the same SQLite file and POSTed. The engine never waits
// for the endpoint; in the last case each Publish waits for the outbox
// commit of its event (one publisher here, so no group commit to share),
// and the outbox writer and the deliverer share the CPU with it.
//
//	go test ./engine -run '^$' -bench Fanout1000Webhooks -benchtime 500x
func BenchmarkFanout1000Webhooks(b *testing.B) {
	for _, mode := range []string{"off", "lifecycle", "publish"} {
		b.Run("webhooks="+mode, func(b *testing.B) {
			on := mode != "off"
			const subs = 1000
			v := newEnv(b, func(c *engine.Config) { c.Limits.SendQueueLen = 100000; c.Limits.SendQueueBytes = 1 << 30 })
			var wh *webhooks.Service
			if on {
				var err error
				if wh, err = webhooks.New(context.Background(), webhooks.Config{DB: v.db}); err != nil {
					b.Fatal(err)
				}
				if err := wh.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(wh.Close)
				v.stop() // restart the engine with the service's callbacks
				wh.Hook(&v.cfg)
				v.start()
			}
			a, received := countingSubscribers(b, v, subs)
			if on {
				rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
				b.Cleanup(rc.Close)
				n := webhooks.NewEndpoint{AppID: a.ID, URL: rc.URL, Events: webhooks.Types[:len(webhooks.Types)-1]}
				if mode == "publish" {
					n.Events, n.Channels = webhooks.Types, "hot"
				}
				if webhooks.Types[len(webhooks.Types)-1] != webhooks.TypePublish {
					b.Fatal("webhooks.Types no longer ends with publish")
				}
				if _, err := wh.Add(context.Background(), n); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := v.e.Publish(ctx, a.ID, "hot", []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
					b.Fatal(err)
				}
			}
			for received.Load() < int64(subs*b.N) {
				time.Sleep(100 * time.Microsecond)
			}
			b.ReportMetric(float64(subs*b.N)/time.Since(start).Seconds(), "deliveries/s")
			if on {
				st := wh.Stats()
				b.ReportMetric(float64(st.Accepted+st.DroppedQueue)/float64(b.N), "hook-events/op")
				b.ReportMetric(float64(st.DroppedQueue+st.DroppedFull), "hook-dropped")
			}
		})
	}
}
