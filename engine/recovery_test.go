package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

func TestRecoveryAfterDisconnect(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	pub := v.connect(a, "pub")
	r := v.connect(a, "alice")
	epoch := r.call("subscribe", map[string]any{"channel": "s"}).sub("result").str("epoch")
	for i := 1; i <= 5; i++ {
		pub.call("publish", map[string]any{"channel": "s", "data": i})
		r.push("pub")
	}
	r.ws.CloseNow()
	for i := 6; i <= 10; i++ {
		pub.call("publish", map[string]any{"channel": "s", "data": i})
	}
	r = v.connect(a, "alice")
	res := r.call("subscribe", map[string]any{"channel": "s", "recover": true, "offset": 5, "epoch": epoch}).sub("result")
	if string(res["recovered"]) != "true" || res.num("missed") != 5 || res.num("offset") != 10 {
		t.Fatalf("recover: %v", res)
	}
	pub.call("publish", map[string]any{"channel": "s", "data": 11})
	for i := 6; i <= 11; i++ {
		if f := r.push("pub"); f.num("offset") != int64(i) || f.num("data") != int64(i) {
			t.Fatalf("want offset %d, got %v", i, f)
		}
	}
	r.noPush(100 * time.Millisecond)
}

func TestRecoveryIncomplete(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.HistorySize = 3 })
	a := v.app("demo")
	r := v.connect(a, "alice")
	for i := 1; i <= 10; i++ {
		r.call("publish", map[string]any{"channel": "s", "data": i})
	}
	epoch := r.call("history", map[string]any{"channel": "s"}).sub("result").str("epoch")
	for _, tc := range []struct {
		name      string
		offset    int
		epoch     string
		recovered string
		missed    int64
	}{
		{"up to date", 10, epoch, "true", 0},
		{"inside window", 7, epoch, "true", 3},
		{"outside window", 1, epoch, "false", 3},
		{"other epoch", 9, "feedbeef", "false", 0},
		{"ahead of stream", 11, epoch, "false", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := v.connect(a, "bob")
			res := c.call("subscribe", map[string]any{"channel": "s", "recover": true, "offset": tc.offset, "epoch": tc.epoch}).sub("result")
			if string(res["recovered"]) != tc.recovered || res.num("missed") != tc.missed {
				t.Fatalf("got %v, want recovered %s missed %d", res, tc.recovered, tc.missed)
			}
			for i := int64(0); i < tc.missed; i++ {
				if f := c.push("pub"); f.num("offset") != 11-tc.missed+i {
					t.Fatalf("push %d: %v", i, f)
				}
			}
			c.noPush(50 * time.Millisecond)
		})
	}
}

func TestHistorySurvivesRestart(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	r := v.connect(a, "alice")
	var epoch string
	for i := 1; i <= 5; i++ {
		epoch = r.call("publish", map[string]any{"channel": "s", "data": i}).sub("result").str("epoch")
	}
	v.stop()
	v.start()
	r = v.connect(a, "alice")
	res := r.call("subscribe", map[string]any{"channel": "s", "recover": true, "offset": 3, "epoch": epoch}).sub("result")
	if string(res["recovered"]) != "true" || res.num("missed") != 2 || res.str("epoch") != epoch {
		t.Fatalf("recover after restart: %v (epoch was %s)", res, epoch)
	}
	for i := 4; i <= 5; i++ {
		if f := r.push("pub"); f.num("offset") != int64(i) || f.num("data") != int64(i) {
			t.Fatalf("push: %v", f)
		}
	}
	if got := r.call("publish", map[string]any{"channel": "s", "data": 6}).sub("result").num("offset"); got != 6 {
		t.Fatalf("first offset after restart %d, want 6", got)
	}
}

// A subscriber using the Go SDK sees every message exactly once, in order,
// although its connection is cut mid-stream and the server restarts.
func TestZeroLossZeroDuplicatesAcrossCutAndRestart(t *testing.T) {
	for _, ack := range []bool{false, true} {
		t.Run(fmt.Sprintf("ack=%v", ack), func(t *testing.T) {
			v := newEnv(t, func(c *engine.Config) { c.Limits.ShutdownReconnectDelay = 50 * time.Millisecond })
			a := v.app("demo")
			ctx := context.Background()
			var mu sync.Mutex
			var got []int
			var recoveries []client.Recovery
			px := v.proxy()
			c, err := client.Dial(ctx, px.url, v.token(a, "alice", nil), client.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			opts := []client.SubOption{client.WithOnResubscribe(func(r client.Recovery) {
				mu.Lock()
				recoveries = append(recoveries, r)
				mu.Unlock()
			})}
			if ack {
				opts = append(opts, client.WithAck())
			}
			_, err = c.Subscribe(ctx, "stream", func(m client.Message) {
				var n int
				json.Unmarshal(m.Data, &n)
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			const total = 300
			for i := 1; i <= total; i++ {
				switch i {
				case 101:
					px.cut() // cut mid-stream
				case 201:
					v.stop() // restart inside the history window
					v.start()
				}
				if _, err := v.e.Publish(ctx, a.ID, "stream", []byte(fmt.Sprint(i))); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			waitFor(t, "all messages", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= total })
			time.Sleep(100 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != total {
				t.Fatalf("got %d messages, want %d", len(got), total)
			}
			for i, n := range got {
				if n != i+1 {
					t.Fatalf("message %d is %d: loss, duplicate or reorder", i+1, n)
				}
			}
			if len(recoveries) < 2 {
				t.Fatalf("recoveries %+v, want at least 2", recoveries)
			}
			for _, r := range recoveries {
				if !r.Recovered {
					t.Fatalf("recovery incomplete: %+v", recoveries)
				}
			}
		})
	}
}

func TestHistoryTTL(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	v := newEnv(t, func(c *engine.Config) {
		c.Limits.HistoryTTL = time.Minute
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	a := v.app("demo")
	r := v.connect(a, "alice")
	for i := 1; i <= 3; i++ {
		r.call("publish", map[string]any{"channel": "s", "data": i})
	}
	epoch := r.call("history", map[string]any{"channel": "s"}).sub("result").str("epoch")
	mu.Lock()
	now = now.Add(30 * time.Second)
	mu.Unlock()
	r.call("publish", map[string]any{"channel": "s", "data": 4})
	mu.Lock()
	now = now.Add(45 * time.Second) // 1-3 are now 75 s old, 4 is 45 s old
	mu.Unlock()
	res := r.call("history", map[string]any{"channel": "s"}).sub("result")
	if res.num("oldest") != 4 || res.num("offset") != 4 {
		t.Fatalf("history after TTL: %v, want only offset 4 kept", res)
	}
	c := v.connect(a, "bob")
	rec := c.call("subscribe", map[string]any{"channel": "s", "recover": true, "offset": 1, "epoch": epoch}).sub("result")
	if string(rec["recovered"]) != "false" || rec.num("missed") != 1 {
		t.Fatalf("recovery across expired history: %v, want recovered false with the 1 kept", rec)
	}
}

// Concurrent publishers on many channels (sharing transactions) and on one
// channel (in turn) lose nothing: after a restart every channel's history
// holds each message once, at consecutive offsets, in publish order.
func TestConcurrentPublishesSurviveRestartInOrder(t *testing.T) {
	v := newEnv(t, func(c *engine.Config) { c.Limits.PublishRate = 1e6 })
	a := v.app("demo")
	ctx := context.Background()
	const chans, per = 20, 30
	var wg sync.WaitGroup
	for c := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				if _, err := v.e.Publish(ctx, a.ID, fmt.Sprintf("room%d", c), json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Three publishers share one channel: offsets must still be dense.
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				if _, err := v.e.Publish(ctx, a.ID, "shared", json.RawMessage(`{}`)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	v.stop()
	v.start()
	r := v.connect(a, "reader")
	type pub struct {
		Offset uint64
		Data   json.RawMessage
	}
	history := func(ch string) (top uint64, pubs []pub) {
		var res struct {
			Offset       uint64
			Publications []pub
		}
		if err := json.Unmarshal(r.call("history", map[string]any{"channel": ch})["result"], &res); err != nil {
			t.Fatal(err)
		}
		return res.Offset, res.Publications
	}
	for c := range chans {
		_, pubs := history(fmt.Sprintf("room%d", c))
		if len(pubs) != per {
			t.Fatalf("room%d: %d publications after restart, want %d", c, len(pubs), per)
		}
		for i, p := range pubs {
			if p.Offset != uint64(i+1) || string(p.Data) != fmt.Sprintf(`{"i":%d}`, i) {
				t.Fatalf("room%d #%d: offset %d data %s", c, i, p.Offset, p.Data)
			}
		}
	}
	top, pubs := history("shared")
	if len(pubs) != 3*per || top != 3*per {
		t.Fatalf("shared: %d publications, top %d, want %d", len(pubs), top, 3*per)
	}
	for i, p := range pubs {
		if p.Offset != uint64(i+1) {
			t.Fatalf("shared #%d has offset %d", i, p.Offset)
		}
	}
}
