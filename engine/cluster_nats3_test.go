package engine_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// startNATSCluster runs three in-process nats-servers routed as one NATS
// cluster with JetStream, and returns them once JetStream has a leader.
func startNATSCluster(t *testing.T) []*natsserver.Server {
	t.Helper()
	var ports []int
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		l.Close()
	}
	var servers []*natsserver.Server
	for i := range 3 {
		opts := &natsserver.Options{ServerName: fmt.Sprint("n", i+1), Host: "127.0.0.1", Port: -1,
			Cluster: natsserver.ClusterOpts{Name: "sb", Host: "127.0.0.1", Port: ports[i]}}
		for j, p := range ports {
			if j != i {
				opts.Routes = append(opts.Routes, natsserver.RoutesFromStr(fmt.Sprintf("nats://127.0.0.1:%d", p))...)
			}
		}
		servers = append(servers, startNATSOpts(t, opts))
	}
	nc := dialNATS(t, servers[0].ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// As nats-server's own cluster tests do: a meta leader that knows all
	// three peers, every server current, and JetStream answering.
	waitForWithin(t, 30*time.Second, "a JetStream meta leader with three current peers", func() bool {
		for _, s := range servers {
			if s.JetStreamIsLeader() && len(s.JetStreamClusterPeers()) != 3 {
				return false
			}
			if !s.JetStreamIsCurrent() {
				return false
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := js.AccountInfo(ctx)
		return err == nil
	})
	return servers
}

// On a three-server NATS cluster with replicas 3, killing the app stream's
// leader in the middle of a stream of publishes loses no acknowledged
// publication: each keeps its offset, offsets stay dense, and subscribers
// on both engine nodes see each exactly once, in order.
func TestClusterNATSLeaderKill(t *testing.T) {
	servers := startNATSCluster(t)
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	var nodes []*env
	for range 2 {
		path := filepath.Join(t.TempDir(), db.FileName)
		d, err := db.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		v := &env{t: t, path: path, db: d, natsURLs: strings.Join(urls, ","), replicas: 3, registry: true}
		v.start()
		nodes = append(nodes, v)
	}
	a := clusterApp(t, nodes, "demo")
	ctx := context.Background()
	if _, err := nodes[0].e.Publish(ctx, a.ID, "stream", []byte("0")); err != nil { // creates the stream
		t.Fatal(err)
	}

	const subscribers = 4
	var mu sync.Mutex
	got := make([][]uint64, subscribers)
	for i := range subscribers {
		c, err := client.Dial(ctx, nodes[i%2].url, nodes[0].token(a, fmt.Sprint("s", i), nil), client.WithBackoff(10*time.Millisecond, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Subscribe(ctx, "stream", func(m client.Message) {
			mu.Lock()
			got[i] = append(got[i], m.Offset)
			mu.Unlock()
		}); err != nil {
			t.Fatal(err)
		}
	}

	nc := dialNATS(t, strings.Join(urls, ","))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream := "SB_" + base64.RawURLEncoding.EncodeToString([]byte(a.ID))
	acked := map[uint64]string{} // offset → data of every acknowledged publish
	failed := 0
	const total = 300
	for i := 1; i <= total; i++ {
		if i == total/3 {
			ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
			s, err := js.Stream(ictx, stream)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.Info(ictx)
			cancel()
			if err != nil || info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 {
				t.Fatalf("stream info %+v, %v: want a leader and two replicas", info, err)
			}
			for _, srv := range servers {
				if srv.Name() == info.Cluster.Leader {
					t.Logf("killing the stream leader %s at publish %d", srv.Name(), i)
					srv.Shutdown()
				}
			}
		}
		data := fmt.Sprint(i)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		pos, err := nodes[i%2].e.Publish(pctx, a.ID, "stream", []byte(data))
		cancel()
		if err != nil {
			failed++ // not acknowledged: the application would retry it
			continue
		}
		if prev, dup := acked[pos.Offset]; dup {
			t.Fatalf("offset %d acknowledged twice (%s and %s)", pos.Offset, prev, data)
		}
		acked[pos.Offset] = data
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("%d publishes acknowledged, %d failed while the leader changed", len(acked), failed)
	if len(acked) < total*2/3 {
		t.Fatalf("only %d of %d publishes acknowledged", len(acked), total)
	}

	var pubs []*engine.Publication
	var top uint64
	for {
		h, err := nodes[1].e.History(ctx, a.ID, "stream", engine.HistoryFilter{Since: uint64(len(pubs)), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		top = h.Position.Offset
		if len(h.Publications) == 0 {
			break
		}
		pubs = append(pubs, h.Publications...)
	}
	for i, p := range pubs {
		if p.Offset != uint64(i+1) {
			t.Fatalf("history position %d has offset %d: offsets not dense", i, p.Offset)
		}
		if want, ok := acked[p.Offset]; ok && string(p.Data) != want {
			t.Fatalf("offset %d holds %s, was acknowledged with %s", p.Offset, p.Data, want)
		}
	}
	for off := range acked {
		if off > top || off < 1 {
			t.Fatalf("acknowledged offset %d is not in the stream (top %d)", off, top)
		}
	}
	if len(pubs) != int(top) {
		t.Fatalf("history holds %d publications, top offset %d", len(pubs), top)
	}
	waitFor(t, "every publication on every subscriber", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, g := range got {
			if len(g) == 0 || g[len(g)-1] < top {
				return false
			}
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	for s, g := range got {
		for i := 1; i < len(g); i++ {
			if g[i] != g[i-1]+1 {
				t.Fatalf("subscriber %d: offset %d after %d (gap, duplicate or reorder)", s, g[i], g[i-1])
			}
		}
		if g[len(g)-1] != top {
			t.Fatalf("subscriber %d ends at %d, top %d", s, g[len(g)-1], top)
		}
	}
}
