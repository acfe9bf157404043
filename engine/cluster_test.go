package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// newCluster starts n engine nodes on one embedded nats-server, each with
// a database of its own: apps reach every node through the NATS registry.
func newCluster(t *testing.T, n int, mod func(*engine.Config)) []*env {
	t.Helper()
	ns := startNATS(t)
	return newClusterOn(t, ns, n, mod)
}

func newClusterOn(t *testing.T, ns *natsserver.Server, n int, mod func(*engine.Config)) []*env {
	t.Helper()
	var nodes []*env
	for i := 0; i < n; i++ {
		path := filepath.Join(t.TempDir(), db.FileName)
		d, err := db.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		v := &env{t: t, path: path, db: d, nats: ns, registry: true}
		if mod != nil {
			mod(&v.cfg)
		}
		v.start()
		nodes = append(nodes, v)
	}
	return nodes
}

// clusterApp creates an app on the first node and waits until every node
// has it from the registry.
func clusterApp(t *testing.T, nodes []*env, name string) engine.App {
	t.Helper()
	a := nodes[0].app(name)
	for _, n := range nodes[1:] {
		waitFor(t, "app on every node", func() bool { _, err := n.e.GetApp(context.Background(), a.ID); return err == nil })
	}
	return a
}

// pubOffsets reads n "pub" pushes and returns their data, failing on an
// offset out of order.
func pubData(t *testing.T, r *raw, n int) []int {
	t.Helper()
	var got []int
	last := int64(0)
	for i := 0; i < n; i++ {
		f := r.push("pub")
		if off := f.num("offset"); off != last+1 {
			t.Fatalf("push %d has offset %d after %d: gap, duplicate or reorder", i+1, off, last)
		}
		last = f.num("offset")
		got = append(got, int(f.num("data")))
	}
	return got
}

// Publishers on both nodes of one channel get dense offsets, and
// subscribers on both nodes see every publication once, in offset order.
func TestClusterFanoutAcrossNodes(t *testing.T) {
	nodes := newCluster(t, 2, func(c *engine.Config) { c.Limits.PublishRate = 10000 })
	a := clusterApp(t, nodes, "demo")
	subs := []*raw{nodes[0].connect(a, "s0"), nodes[1].connect(a, "s1")}
	for _, s := range subs {
		s.call("subscribe", map[string]any{"channel": "room.1"}) // a dot: names are encoded in subjects
	}
	const perPublisher = 100
	var wg sync.WaitGroup
	offsets := make(chan int64, 4*perPublisher)
	for i := 0; i < 4; i++ {
		p := nodes[i%2].connect(a, fmt.Sprint("p", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < perPublisher; j++ {
				res := p.call("publish", map[string]any{"channel": "room.1", "data": j})
				if res.code() != 0 {
					t.Errorf("publish: %v", res)
					return
				}
				offsets <- res.sub("result").num("offset")
			}
		}()
	}
	wg.Wait()
	close(offsets)
	seen := map[int64]bool{}
	for o := range offsets {
		if seen[o] || o < 1 || o > 4*perPublisher {
			t.Fatalf("offset %d given twice or outside 1..%d", o, 4*perPublisher)
		}
		seen[o] = true
	}
	for _, s := range subs {
		pubData(t, s, 4*perPublisher)
		s.noPush(100 * time.Millisecond)
	}
	// Both nodes answer history with the same epoch and top.
	h0 := subs[0].call("history", map[string]any{"channel": "room.1", "limit": 1, "latest": true}).sub("result")
	h1 := subs[1].call("history", map[string]any{"channel": "room.1", "limit": 1, "latest": true}).sub("result")
	if h0.num("offset") != 4*perPublisher || h0.str("epoch") != h1.str("epoch") || h1.num("offset") != h0.num("offset") {
		t.Fatalf("history on node A %v, on node B %v", h0, h1)
	}
}

// A client that loses node A recovers on node B everything it missed.
func TestClusterRecoveryOnOtherNode(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	pub := nodes[0].connect(a, "pub")
	r := nodes[0].connect(a, "alice")
	epoch := r.call("subscribe", map[string]any{"channel": "s"}).sub("result").str("epoch")
	for i := 1; i <= 5; i++ {
		pub.call("publish", map[string]any{"channel": "s", "data": i})
	}
	pubData(t, r, 5)
	r.ws.CloseNow()
	for i := 6; i <= 10; i++ {
		pub.call("publish", map[string]any{"channel": "s", "data": i})
	}
	r = nodes[1].connect(a, "alice")
	res := r.call("subscribe", map[string]any{"channel": "s", "recover": true, "offset": 5, "epoch": epoch}).sub("result")
	if string(res["recovered"]) != "true" || res.num("missed") != 5 || res.num("offset") != 10 || res.str("epoch") != epoch {
		t.Fatalf("recover on node B: %v (epoch %s)", res, epoch)
	}
	pub.call("publish", map[string]any{"channel": "s", "data": 11})
	for i := 6; i <= 11; i++ {
		if f := r.push("pub"); f.num("offset") != int64(i) || f.num("data") != int64(i) {
			t.Fatalf("want offset %d, got %v", i, f)
		}
	}
	r.noPush(100 * time.Millisecond)
}

// Acknowledged delivery: publications a client did not ack on node A are
// recovered on node B (the client resumes from its last acked offset).
func TestClusterAckedDeliveryOnOtherNode(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	r := nodes[0].connect(a, "alice")
	epoch := r.call("subscribe", map[string]any{"channel": "s", "ack": true}).sub("result").str("epoch")
	for i := 1; i <= 4; i++ {
		if _, err := nodes[1].e.Publish(context.Background(), a.ID, "s", json.RawMessage(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	pubData(t, r, 4)
	r.sendRaw(`{"op":"ack","channel":"s","offset":2}`)
	r.ws.CloseNow()
	r = nodes[1].connect(a, "alice")
	res := r.call("subscribe", map[string]any{"channel": "s", "ack": true, "recover": true, "offset": 2, "epoch": epoch}).sub("result")
	if string(res["recovered"]) != "true" || res.num("missed") != 2 {
		t.Fatalf("recover: %v", res)
	}
	for i := 3; i <= 4; i++ {
		if f := r.push("pub"); f.num("offset") != int64(i) {
			t.Fatalf("want offset %d, got %v", i, f)
		}
	}
}

// balancer is a TCP load balancer in front of engine nodes: it relays each
// new connection to the first node that is up, and kill cuts a node's
// connections abruptly and refuses it from then on, as a crashed node.
type balancer struct {
	l     net.Listener
	url   string
	mu    sync.Mutex
	addrs []string
	dead  map[string]bool
	conns map[string][]net.Conn
}

func newBalancer(t *testing.T, nodes []*env) *balancer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{l: l, url: "ws://" + l.Addr().String(), dead: map[string]bool{}, conns: map[string][]net.Conn{}}
	for _, n := range nodes {
		b.addrs = append(b.addrs, n.addr)
	}
	t.Cleanup(func() {
		l.Close()
		for _, a := range b.addrs {
			b.kill(a)
		}
	})
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			go b.relay(in)
		}
	}()
	return b
}

func (b *balancer) relay(in net.Conn) {
	b.mu.Lock()
	addr := ""
	for _, a := range b.addrs {
		if !b.dead[a] {
			addr = a
			break
		}
	}
	b.mu.Unlock()
	out, err := net.Dial("tcp", addr)
	if addr == "" || err != nil {
		in.Close()
		return
	}
	b.mu.Lock()
	if b.dead[addr] {
		b.mu.Unlock()
		in.Close()
		out.Close()
		return
	}
	b.conns[addr] = append(b.conns[addr], in, out)
	b.mu.Unlock()
	go func() { io.Copy(out, in); out.Close() }()
	go func() { io.Copy(in, out); in.Close() }()
}

func (b *balancer) kill(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dead[addr] = true
	for _, c := range b.conns[addr] {
		c.Close()
	}
	b.conns[addr] = nil
}

// Kill an engine node with connected subscribers in the middle of a stream
// of publications: they reconnect (through the load balancer) to the other
// node and recover, and the app sees every message once: 0 lost, 0
// duplicated.
func TestClusterNodeKill(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	a := clusterApp(t, nodes, "demo")
	lb := newBalancer(t, nodes)
	ctx := context.Background()
	const subscribers, total = 5, 300
	var mu sync.Mutex
	got := make([][]int, subscribers)
	var recovered atomic.Int32
	for i := range subscribers {
		c, err := client.Dial(ctx, lb.url, nodes[0].token(a, fmt.Sprint("u", i), nil), client.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Subscribe(ctx, "stream", func(m client.Message) {
			var n int
			json.Unmarshal(m.Data, &n)
			mu.Lock()
			got[i] = append(got[i], n)
			mu.Unlock()
		}, client.WithOnResubscribe(func(r client.Recovery) {
			if r.Recovered {
				recovered.Add(1)
			}
		})); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= total; i++ {
		node := nodes[i%2]
		if i > total/2 {
			node = nodes[1]
		}
		if i == total/2 {
			lb.kill(nodes[0].addr) // node A crashes: its clients' sockets drop
		}
		if _, err := node.e.Publish(ctx, a.ID, "stream", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	nodes[0].stop()
	waitFor(t, "every message on every subscriber", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, g := range got {
			if len(g) < total {
				return false
			}
		}
		return true
	})
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for s, g := range got {
		lost, dup := total, 0
		seen := map[int]bool{}
		for _, n := range g {
			if seen[n] {
				dup++
			} else {
				seen[n] = true
				lost--
			}
		}
		if lost != 0 || dup != 0 || len(g) != total {
			t.Fatalf("subscriber %d: %d lost, %d duplicated of %d", s, lost, dup, total)
		}
		for i, n := range g {
			if n != i+1 {
				t.Fatalf("subscriber %d: message %d is %d (out of order)", s, i+1, n)
			}
		}
	}
	if n := recovered.Load(); n < subscribers {
		t.Fatalf("%d recovered resubscriptions, want %d", n, subscribers)
	}
}

// When NATS goes away a node fails publishes fast with 151 unavailable,
// and once NATS is back (same store) it works again by itself.
func TestClusterNATSDownAndBack(t *testing.T) {
	dir := t.TempDir()
	opts := &natsserver.Options{Host: "127.0.0.1", Port: -1, StoreDir: dir}
	ns := startNATSOpts(t, opts)
	port := ns.Addr().(*net.TCPAddr).Port
	nodes := newClusterOn(t, ns, 1, nil)
	v := nodes[0]
	a := v.app("demo")
	r := v.connect(a, "alice")
	r.call("subscribe", map[string]any{"channel": "c"})
	wantCode(t, "publish", r.call("publish", map[string]any{"channel": "c", "data": 1}), 0)
	r.push("pub")
	ns.Shutdown()
	ns.WaitForShutdown()
	start := time.Now()
	wantCode(t, "publish while NATS is down", r.call("publish", map[string]any{"channel": "c", "data": 2}), engine.CodeUnavailable)
	if d := time.Since(start); d > time.Second {
		t.Errorf("failed publish took %v, want fast", d)
	}
	startNATSOpts(t, &natsserver.Options{Host: "127.0.0.1", Port: port, StoreDir: dir})
	var res frame
	waitFor(t, "publish after NATS is back", func() bool {
		res = r.call("publish", map[string]any{"channel": "c", "data": 3})
		return res.code() == 0
	})
	if off := res.sub("result").num("offset"); off != 2 {
		t.Fatalf("offset after NATS came back %d, want 2 (the failed publish stored nothing)", off)
	}
	if f := r.push("pub"); f.num("offset") != 2 || f.num("data") != 3 {
		t.Fatalf("push after NATS came back: %v", f)
	}
}

// The app registry is shared: an app created, changed, given a new API
// key or deleted on one node is seen by the other within a second, and a
// node that joins later starts with every app.
func TestClusterAppRegistry(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	ctx := context.Background()
	a := nodes[0].app("shared")
	within := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen on the other node within 1 s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	within("new app", func() bool { _, err := nodes[1].e.GetApp(ctx, a.ID); return err == nil })
	if _, err := nodes[1].e.AppByAPIKey(ctx, a.APIKey); err != nil {
		t.Fatalf("API key on node B: %v", err)
	}
	r := nodes[1].connect(a, "bob") // its token verifies with the shared certificate
	if err := nodes[0].e.SetAppLimits(ctx, a.ID, engine.AppLimits{MaxConns: 7}); err != nil {
		t.Fatal(err)
	}
	within("new limits", func() bool { got, _ := nodes[1].e.GetApp(ctx, a.ID); return got.Limits.MaxConns == 7 })
	key, err := nodes[1].e.RotateAPIKey(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	within("rotated key", func() bool {
		_, errNew := nodes[0].e.AppByAPIKey(ctx, key)
		_, errOld := nodes[0].e.AppByAPIKey(ctx, a.APIKey)
		return errNew == nil && errOld != nil
	})
	late := newClusterOn(t, nodes[0].nats, 1, nil)[0]
	if got, err := late.e.GetApp(ctx, a.ID); err != nil || got.Limits.MaxConns != 7 {
		t.Fatalf("late node: %+v %v", got, err)
	}
	if err := nodes[0].e.DeleteApp(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if code := r.closeCode(); code != engine.CloseAppDeleted {
		t.Fatalf("client on node B closed with %d, want 4004", code)
	}
	within("deletion", func() bool { _, err := late.e.GetApp(ctx, a.ID); return errors.Is(err, engine.ErrNotFound) })
}
