package gosdktest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// BenchmarkReceive measures a message's whole trip to a subscriber: the
// server publishes b.N messages (each stored in SQLite first, which is most
// of the time) and the handler counts them. BenchmarkReadFrames measures
// the client's share alone.
//
//	go test ./engine/client -run '^$' -bench Receive -benchtime 20000x
func BenchmarkReceive(b *testing.B) {
	te := newTestEngine(engine.Limits{SendQueueLen: 1 << 20, SendQueueBytes: 1 << 30})
	defer te.close()
	ctx := context.Background()
	c, err := client.Dial(ctx, te.url, te.token(b, "alice", time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var n atomic.Int64
	if _, err := c.Subscribe(ctx, "bench", func(client.Message) { n.Add(1) }); err != nil {
		b.Fatal(err)
	}
	data := []byte(`{"text":"a message of a typical size, about one hundred bytes long, sent to every subscriber"}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := te.e.Publish(ctx, te.app.ID, "bench", data); err != nil {
			b.Fatal(err)
		}
	}
	for n.Load() < int64(b.N) {
		time.Sleep(100 * time.Microsecond)
	}
}
