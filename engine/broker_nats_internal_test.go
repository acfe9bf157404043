package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// recorder is a BrokerEventHandler that keeps the offsets it is handed.
type recorder struct {
	mu      sync.Mutex
	offsets []uint64
}

func (r *recorder) HandlePublication(_ ChannelID, p *Publication) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.offsets = append(r.offsets, p.Offset)
}

func (r *recorder) got() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.offsets...)
}

func testNATSBrokers(t *testing.T, catchUp time.Duration) (pub, sub *NATSBroker) {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	var bs []*NATSBroker
	for _, node := range []string{"a", "b"} {
		nc, err := nats.Connect(s.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		b, err := NewNATSBroker(context.Background(), NATSBrokerConfig{Conn: nc, Node: node, CatchUpInterval: catchUp})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		bs = append(bs, b)
	}
	return bs[0], bs[1]
}

// missLive makes b lose the live copies of ch's publications (as NATS
// core delivery may) until the returned function is called.
func missLive(b *NATSBroker, ch ChannelID) (restore func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.fans[ch]
	subj := "sbl." + f.subj
	delete(b.fanBySubj, subj)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.fanBySubj[subj] = f
	}
}

func publishN(t *testing.T, b *NATSBroker, ch ChannelID, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := b.Publish(context.Background(), ch, json.RawMessage(fmt.Sprint(i)), "u"); err != nil {
			t.Fatal(err)
		}
	}
}

func waitOffsets(t *testing.T, r *recorder, n int) []uint64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.got()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := r.got()
	for i, o := range got {
		if o != uint64(i+1) {
			t.Fatalf("offsets %v: want 1..%d once each, in order", got, n)
		}
	}
	if len(got) != n {
		t.Fatalf("offsets %v: want 1..%d", got, n)
	}
	return got
}

// A node that missed live publications reads them from the stream before
// it delivers the next one.
func TestNATSGapFilledBeforeNextDelivery(t *testing.T) {
	pub, sub := testNATSBrokers(t, time.Hour) // no periodic catch-up: only the gap fill
	rec := &recorder{}
	sub.RegisterEventHandler(rec)
	ch := ChannelID{"app", "room.1"}
	if err := sub.Subscribe(ch); err != nil {
		t.Fatal(err)
	}
	publishN(t, pub, ch, 2)
	waitOffsets(t, rec, 2)
	restore := missLive(sub, ch)
	publishN(t, pub, ch, 3) // 3, 4, 5 lost on the way to sub
	time.Sleep(50 * time.Millisecond)
	if got := rec.got(); len(got) != 2 {
		t.Fatalf("delivered %v while the live copies were lost", got)
	}
	restore()
	publishN(t, pub, ch, 1)
	waitOffsets(t, rec, 6)
}

// Lost live copies after the last publication are delivered by the
// periodic catch-up, without waiting for another publication.
func TestNATSCatchUpDeliversTrailingLoss(t *testing.T) {
	pub, sub := testNATSBrokers(t, 50*time.Millisecond)
	rec := &recorder{}
	sub.RegisterEventHandler(rec)
	ch := ChannelID{"app", "c"}
	if err := sub.Subscribe(ch); err != nil {
		t.Fatal(err)
	}
	restore := missLive(sub, ch)
	publishN(t, pub, ch, 4)
	restore()
	waitOffsets(t, rec, 4)
}

// A retried publish (same message ID) is stored once and keeps its offset.
func TestNATSRetriedPublishStoredOnce(t *testing.T) {
	pub, _ := testNATSBrokers(t, time.Hour)
	ch := ChannelID{"app", "c"}
	publishN(t, pub, ch, 1)
	s, err := pub.stream(context.Background(), ch.App)
	if err != nil {
		t.Fatal(err)
	}
	// Store offset 2 under a message ID, then retry with the same ID as a
	// publisher whose ack was lost would.
	id := pub.instance + "-retry"
	for i := 0; i < 2; i++ {
		m := nats.NewMsg(s.subject(ch.Name))
		m.Data = []byte(`2`)
		m.Header.Set(hdrOffset, "2")
		m.Header.Set(hdrTime, fmt.Sprint(time.Now().UnixMilli()))
		m.Header.Set(nats.MsgIdHdr, id)
		ack, err := pub.js.PublishMsg(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Duplicate != (i == 1) {
			t.Fatalf("attempt %d: duplicate %v", i+1, ack.Duplicate)
		}
	}
	h, err := pub.History(context.Background(), ch, HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Publications) != 2 || h.Position.Offset != 2 {
		t.Fatalf("history %+v: want offsets 1 and 2 once", h)
	}
	p, err := pub.Publish(context.Background(), ch, json.RawMessage(`3`), "u")
	if err != nil || p.Offset != 3 {
		t.Fatalf("next publish: %v %v, want offset 3", p, err)
	}
}
