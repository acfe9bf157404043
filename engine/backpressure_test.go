package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
)

// A subscriber that stops reading fills its socket: the engine's direct
// writes then stop part-way through frames, and the rest waits in the send
// queue. When the subscriber reads again it gets every frame whole, in
// order, with its replies in sequence, and nothing twice.
func TestBackpressureKeepsFramesWholeAndInOrder(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) {
		c.Limits.PublishRate = 1e6
		c.Limits.SendQueueLen = 10000
		c.Limits.SendQueueBytes = 64 << 20
	})
	a := v.app("demo")
	ctx := context.Background()
	ws, _, err := websocket.Dial(ctx, v.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	send := func(s string) {
		if err := ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"id":1,"op":"connect","token":"` + v.token(a, "slow", nil) + `"}`)
	send(`{"id":2,"op":"subscribe","channel":"firehose"}`)
	time.Sleep(100 * time.Millisecond) // both replies are in the socket

	// 200 frames of 30 KB (6 MB) are more than loopback buffers hold. Sizes
	// vary so that partial writes end at different places in the frames.
	const n = 200
	payload := func(i int) string { return fmt.Sprintf("%d:%s", i, strings.Repeat("x", 30*1024+i*7)) }
	for i := 1; i <= n; i++ {
		if _, err := v.e.Publish(ctx, a.ID, "firehose", json.RawMessage(`"`+payload(i)+`"`)); err != nil {
			t.Fatal(err)
		}
		if i == n/2 {
			send(`{"id":3,"op":"presence","channel":"firehose"}`) // its reply queues behind at least 100 pubs
		}
	}

	var ids []int64
	next := uint64(1)
	for next <= n {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, b, err := ws.Read(rctx)
		cancel()
		if err != nil {
			t.Fatalf("after offset %d: %v", next-1, err)
		}
		var f struct {
			ID     int64
			Type   string
			Offset uint64
			Data   string
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("frame after offset %d is not whole JSON (%d bytes): %v", next-1, len(b), err)
		}
		switch {
		case f.ID != 0:
			if f.ID == 3 && next <= n/2 {
				// It was asked after offset n/2 was queued.
				t.Fatalf("presence reply arrived after offset %d, before offset %d", next-1, n/2)
			}
			ids = append(ids, f.ID)
		case f.Type == "pub":
			if f.Offset != next || f.Data != payload(int(next)) {
				t.Fatalf("got offset %d (%d bytes of data), want offset %d", f.Offset, len(f.Data), next)
			}
			next++
		}
	}
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("replies %v, want [1 2 3] in order", ids)
	}
	if s := v.e.Stats().SlowConsumers; s != 0 {
		t.Fatalf("%d slow consumers; the queue had room", s)
	}
}
