package client

import (
	"testing"
	"time"
)

// TestDispatcherOrder queues publications and closures, in bursts and one
// at a time while the loop runs (so the queue both grows and is compacted),
// and checks that every handler ran once, in order.
func TestDispatcherOrder(t *testing.T) {
	d := newDispatcher()
	defer d.stop()
	var got []uint64
	s := &Subscription{channel: "c", active: true}
	s.h = func(m Message) { got = append(got, m.Offset) }
	const n = 5000
	done := make(chan struct{})
	for i := uint64(1); i <= n; i++ {
		if i%7 == 0 {
			d.push(func() { got = append(got, i) })
		} else {
			d.deliver(s, nil, Message{Channel: "c", Offset: i})
		}
		if i%500 == 0 {
			time.Sleep(time.Millisecond) // let the loop drain and go idle
		}
	}
	d.push(func() { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("handlers did not run")
	}
	if len(got) != n {
		t.Fatalf("%d handlers ran, want %d", len(got), n)
	}
	for i, v := range got {
		if v != uint64(i+1) {
			t.Fatalf("handler %d got %d, want %d", i, v, i+1)
		}
	}
}

// TestDecodePubAllocs: decoding a publication whose channel, epoch and
// publisher repeat the previous one's allocates only the copy of its data.
func TestDecodePubAllocs(t *testing.T) {
	frame := []byte(realFrames[0])
	var f inFrame
	var cache stringCache
	if err := decodeFrameCached(frame, &f, &cache); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { decodeFrameCached(frame, &f, &cache) }); n != 1 {
		t.Fatalf("%v allocations per publication, want 1", n)
	}
}
