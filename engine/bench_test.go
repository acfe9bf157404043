package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// BenchmarkFanout1000 publishes into one channel with 1,000 subscribers
// (real WebSockets over loopback, hand-made clients that count "pub"
// frames) and waits until every subscriber has the message. ns/op is the
// time for one message to reach all 1,000; it also reports deliveries/s
// and the p50/p99 of that per-message time.
//
//	go test ./engine -run '^$' -bench Fanout1000 -benchtime 200x
func BenchmarkFanout1000(b *testing.B) {
	const subs = 1000
	v := newEnv(b, nil)
	a, received := countingSubscribers(b, v, subs)
	ctx := context.Background()
	payload := []byte(`{"text":"` + strings.Repeat("x", 100) + `"}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := v.e.Publish(ctx, a.ID, "hot", payload); err != nil {
			b.Fatal(err)
		}
		want := int64(subs * (i + 1))
		for received.Load() < want {
			time.Sleep(20 * time.Microsecond)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(subs*b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkFanout1000Throughput publishes b.N messages back to back and
// waits for all deliveries: the engine's sustained fan-out rate.
//
//	go test ./engine -run '^$' -bench Fanout1000Throughput -benchtime 500x
func BenchmarkFanout1000Throughput(b *testing.B) {
	const subs = 1000
	v := newEnv(b, func(c *engine.Config) { c.Limits.SendQueueLen = 100000; c.Limits.SendQueueBytes = 1 << 30 })
	a, received := countingSubscribers(b, v, subs)
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
}

// BenchmarkPublish measures one client's publish round trip (decode,
// checks, SQLite write-through, reply) with one subscriber.
//
//	go test ./engine -run '^$' -bench 'Publish$'
func BenchmarkPublish(b *testing.B) {
	v := newEnv(b, func(c *engine.Config) { c.Limits.PublishRate = 1e9 })
	a, _ := v.e.CreateApp(context.Background(), "pub")
	tok, _ := engine.MintToken(a.ID, a.Certificate, engine.Claims{Subject: "p"}, time.Hour)
	addr := strings.TrimPrefix(v.url, "ws://")
	sub, err := idleConn(addr, "/", tok, "c")
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	go func() { // drain the subscriber
		br := bufio.NewReader(sub)
		for {
			if _, err := readFrame(br); err != nil {
				return
			}
		}
	}()
	pub, err := idleConn(addr, "/", tok, "other")
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	br := bufio.NewReader(pub)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		writeMaskedText(pub, []byte(fmt.Sprintf(`{"id":%d,"op":"publish","channel":"c","data":{"n":%d}}`, i+3, i)))
		reply, err := readFrame(br)
		if err != nil || !bytes.Contains(reply, []byte(`"result"`)) {
			b.Fatalf("reply %s %v", reply, err)
		}
	}
}

// countingSubscribers connects n hand-made clients of a new app to channel
// "hot"; received counts the "pub" frames they read. They are closed when
// the benchmark ends.
func countingSubscribers(b *testing.B, v *env, n int) (engine.App, *atomic.Int64) {
	a, err := v.e.CreateApp(context.Background(), "fanout")
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := engine.MintToken(a.ID, a.Certificate, engine.Claims{Subject: "s"}, time.Hour)
	addr := strings.TrimPrefix(v.url, "ws://")
	received := new(atomic.Int64)
	var wg sync.WaitGroup
	b.Cleanup(wg.Wait) // runs after the connections below are closed
	for range n {
		c, err := idleConn(addr, "/", tok, "hot")
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReader(c)
			for {
				p, err := readFrame(br)
				if err != nil {
					return
				}
				if bytes.HasPrefix(p, []byte(`{"type":"pub"`)) {
					received.Add(1)
				}
			}
		}()
		b.Cleanup(func() { c.Close() })
	}
	return a, received
}
