package status_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/status"
)

// startNATS runs an embedded nats-server with JetStream in t.TempDir(), for
// the app registry the engine nodes share (the probe app must exist on
// every node, as in a cluster).
func startNATS(t *testing.T) string {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

// clusterConfig makes an engine a cluster node on the NATS server at url:
// channels in JetStream (so that a message published on one node reaches
// subscribers on the other) and the shared app registry (so that the
// probe app exists on every node).
//
// Without a shared broker (registryOnly) each node fans out only to its
// own subscribers: nodes that are not truly clustered.
func clusterConfig(t *testing.T, url, node string, registryOnly ...bool) func(*engine.Config) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	reg, err := engine.NewNATSRegistry(context.Background(), nc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(registryOnly) > 0 && registryOnly[0] {
		return func(c *engine.Config) { c.Registry = reg }
	}
	b, err := engine.NewNATSBroker(context.Background(), engine.NATSBrokerConfig{Conn: nc, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	return func(c *engine.Config) { c.Registry, c.Broker = reg, b }
}

// nodeServer serves an engine as a node does: /v1/ws and a /healthz that
// names the node.
func nodeServer(t *testing.T, e *engine.Engine, name string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/v1/ws", e.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\nnode: " + name + "\n"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func nodeRow(t *testing.T, s status.Summary, name string) status.NodeStatus {
	t.Helper()
	for _, n := range s.Nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no node row %q in %+v", name, s.Nodes)
	return status.NodeStatus{}
}

// Two real engine nodes on their own SQLite files, clustered on an
// embedded NATS server: the prober probes each through its own URL,
// checks that what is published on one node reaches the other, and keeps
// a row per node; when one node's server goes away only that node's row
// goes down.
func TestProbeNodes(t *testing.T) {
	url := startNATS(t)
	a := newEnv(t, clusterConfig(t, url, "node-a"))
	b := newEnv(t, clusterConfig(t, url, "node-b"))
	srvA, srvB := nodeServer(t, a.eng, "node-a"), nodeServer(t, b.eng, "node-b")
	m := a.monitor(func(c *status.Config) { c.NodeURLs = []string{srvA.URL, srvB.URL} })
	ctx := context.Background()

	// The first probe creates the probe app on node A; node B learns it
	// through the registry a moment later, and the probe waits for that
	// rather than report node B down.
	for range 3 {
		p := probe(t, m, a.clock)
		if len(p.Nodes) != 2 {
			t.Fatalf("%d node probes, want 2", len(p.Nodes))
		}
		for _, np := range p.Nodes {
			if np.Connect != status.OK || np.Messaging != status.OK || np.Peer != status.OK || np.Error != "" {
				t.Fatalf("node %s (%s): %s %s %s (%s), want all ok", np.Node, np.URL, np.Connect, np.Messaging, np.Peer, np.Error)
			}
			if np.Delivered != 5 || len(np.Latencies) != 5 {
				t.Fatalf("node %s delivered %d, %d latencies; want 5", np.Node, np.Delivered, len(np.Latencies))
			}
			if np.Cross != status.OK || np.CrossExpected != 5 || np.CrossDelivered != 5 || np.CrossFrom == np.URL || np.CrossFrom == "" {
				t.Fatalf("node %s cross-node check from %s: %s, %d of %d", np.Node, np.CrossFrom, np.Cross, np.CrossDelivered, np.CrossExpected)
			}
		}
	}
	s := summary(t, m, a.clock.Now())
	if len(s.Nodes) != 2 || s.Nodes[0].Name != "node-a" || s.Nodes[1].Name != "node-b" {
		t.Fatalf("nodes = %+v, want node-a, node-b", s.Nodes)
	}
	for _, n := range s.Nodes {
		w := n.Last24h
		if n.State != status.StateOperational || val(w.Availability) != 1 || val(w.DeliveryRate) != 1 ||
			w.ProbesOK != 3 || w.Delivered != 15 || w.P99Ms == nil || *w.P99Ms <= 0 || val(w.CrossDeliveryRate) != 1 {
			t.Errorf("node %s: state %s, availability %v, delivery %v, probes ok %d, delivered %d, p99 %v; want operational, 1, 1, 3, 15, some",
				n.Name, n.State, val(w.Availability), val(w.DeliveryRate), w.ProbesOK, w.Delivered, val(w.P99Ms))
		}
	}

	// Node B's server goes away: its probes fail, node A's do not (its
	// cross-node check, published on B, is skipped: B's row says why), and
	// the EngineURL probe (node A's engine) stays up.
	srvB.Close()
	for range 6 {
		p := probe(t, m, a.clock)
		if p.Nodes[1].Connect != status.Failed || p.Nodes[1].Error == "" || p.Nodes[0].Connect != status.OK ||
			p.Nodes[0].Cross != status.Skipped || p.Nodes[0].Error != "" {
			t.Fatalf("after B closed: A %s, cross %s (%q), B %s (%q)", p.Nodes[0].Connect, p.Nodes[0].Cross, p.Nodes[0].Error, p.Nodes[1].Connect, p.Nodes[1].Error)
		}
	}
	s = summary(t, m, a.clock.Now())
	na, nb := nodeRow(t, s, "node-a"), nodeRow(t, s, "node-b")
	if na.State != status.StateOperational || val(na.Last24h.Availability) != 1 {
		t.Errorf("node-a: %s, availability %v; want operational, 1", na.State, val(na.Last24h.Availability))
	}
	// B keeps its name from its last /healthz; 3 of its 9 probes were up.
	if nb.State != status.StateOutage || val(nb.Last24h.Availability) != 3.0/9 || nb.Last24h.ProbesFailed != 6 {
		t.Errorf("node-b: %s, availability %v, failed %d; want outage, 1/3, 6", nb.State, val(nb.Last24h.Availability), nb.Last24h.ProbesFailed)
	}
	if s.Engine.State != status.StateOperational {
		t.Errorf("engine state %s, want operational (the EngineURL probe is node A)", s.Engine.State)
	}
	stored, err := m.RecentNodeProbes(ctx, a.clock.Now().Add(-time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 18 || stored[0].Node == "" {
		t.Errorf("%d stored node probes, want 18 (9 runs × 2 nodes)", len(stored))
	}
	// The JSON status API carries the rows.
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"nodes":[{"name":"node-a"`) {
		t.Errorf("summary JSON has no node rows: %.300s", js)
	}

	// Raw node probes are kept RawRetention.
	if err := m.Rollup(ctx, a.clock.Now().Add(status.RawRetention+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if stored, err = m.RecentNodeProbes(ctx, time.Time{}, 100); err != nil || len(stored) != 0 {
		t.Errorf("after retention: %d node probes (%v), want 0", len(stored), err)
	}
}

// Two nodes that share the app registry but not the channels: each
// node's own round trip works, but what is published on one never reaches
// the other, and the cross-node check says so.
func TestProbeNodesCrossNodeFails(t *testing.T) {
	url := startNATS(t)
	a := newEnv(t, clusterConfig(t, url, "node-a", true))
	b := newEnv(t, clusterConfig(t, url, "node-b", true))
	srvA, srvB := nodeServer(t, a.eng, "node-a"), nodeServer(t, b.eng, "node-b")
	m := a.monitor(func(c *status.Config) { c.NodeURLs = []string{srvA.URL, srvB.URL} })
	p := probe(t, m, a.clock)
	for _, np := range p.Nodes {
		if np.Messaging != status.OK || np.Cross != status.Failed || np.CrossDelivered != 0 || np.CrossExpected != 5 ||
			!strings.Contains(np.Error, "cross-node from") {
			t.Errorf("node %s: messaging %s, cross %s (%d of %d), error %q; want ok, failed (0 of 5)",
				np.Node, np.Messaging, np.Cross, np.CrossDelivered, np.CrossExpected, np.Error)
		}
	}
	s := summary(t, m, a.clock.Now())
	for _, n := range s.Nodes {
		if n.State != status.StateOutage || val(n.Last24h.Availability) != 0 || val(n.Last24h.CrossDeliveryRate) != 0 || val(n.Last24h.DeliveryRate) != 1 {
			t.Errorf("node %s: %s, availability %v, cross %v, own delivery %v; want outage, 0, 0, 1",
				n.Name, n.State, val(n.Last24h.Availability), val(n.Last24h.CrossDeliveryRate), val(n.Last24h.DeliveryRate))
		}
	}
}

// Without NodeURLs nothing changes: no node probes, no node rows, no
// "nodes" in the JSON.
func TestProbeWithoutNodes(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(nil)
	if p := probe(t, m, v.clock); p.Nodes != nil {
		t.Fatalf("node probes %+v without NodeURLs", p.Nodes)
	}
	s := summary(t, m, v.clock.Now())
	js, _ := json.Marshal(s)
	if s.Nodes != nil || strings.Contains(string(js), `"nodes"`) {
		t.Errorf("nodes %+v in a summary without NodeURLs", s.Nodes)
	}
}

// A node that never answered has a row named after its host, with no data.
func TestNodeNoDataYet(t *testing.T) {
	v := newEnv(t, nil)
	m := v.monitor(func(c *status.Config) { c.NodeURLs = []string{"http://10.255.255.1:8080"} })
	s := summary(t, m, v.clock.Now())
	if len(s.Nodes) != 1 {
		t.Fatalf("nodes = %+v, want one", s.Nodes)
	}
	n := s.Nodes[0]
	if n.Name != "10.255.255.1:8080" || n.State != status.StateNoData || n.Last24h.Availability != nil ||
		n.Last24h.DeliveryRate != nil || n.Last24h.P99Ms != nil || n.LastProbeAt != nil {
		t.Errorf("row before any probe: %+v", n)
	}
}

func TestNodeURLsValidated(t *testing.T) {
	d := dbtest.Open(t)
	for _, urls := range [][]string{{"10.0.0.2:8080"}, {"ws://10.0.0.2:8080"}, {"http://"}, {"http://a:1", "http://a:1"}} {
		if _, err := status.New(context.Background(), status.Config{DB: d, NodeURLs: urls}); err == nil {
			t.Errorf("NodeURLs %q accepted", urls)
		}
	}
}

// A database from before node probes keeps its probes; the node table
// starts empty.
func TestMigrateNodeProbes(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	migrateThrough(t, d, "001_status.sql", "002_minutes_by_time.sql", "003_measured_time.sql", "004_hist_16_per_octave.sql")
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if _, err := d.ExecContext(ctx, `INSERT INTO status_probes (at, connect_ok, messaging_ok, peer_ok, sent, expected, delivered, latencies_us)
		VALUES (?, 1, 1, 1, 5, 5, 5, '[900,1000,1100,1200,1300]')`, at.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	m, err := status.New(ctx, status.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := m.RecentProbes(ctx, at.Add(-time.Minute), 10)
	if err != nil || len(ps) != 1 || ps[0].Delivered != 5 || len(ps[0].Latencies) != 5 {
		t.Fatalf("old probes after the migration: %+v (%v)", ps, err)
	}
	nps, err := m.RecentNodeProbes(ctx, time.Time{}, 10)
	if err != nil || len(nps) != 0 {
		t.Fatalf("node probes after the migration: %+v (%v)", nps, err)
	}
}
