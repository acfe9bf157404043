package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

func TestClusterFlags(t *testing.T) {
	t.Setenv("SWITCHBOARD_NATS", "nats://10.0.0.1:4222, nats://10.0.0.2:4222")
	cfg, _, err := parseFlags([]string{"-node", "edge-1", "-engine-only", "-nats-replicas", "3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.NATS) != 2 || cfg.NATS[1] != "nats://10.0.0.2:4222" || cfg.Node != "edge-1" || !cfg.EngineOnly || cfg.NATSReplicas != 3 {
		t.Fatalf("config %+v", cfg)
	}
	t.Setenv("SWITCHBOARD_NATS", "")
	cfg, _, err = parseFlags([]string{"-nats", "nats://127.0.0.1:4222", "-addr", "127.0.0.1:9000"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(cfg.Node, ":9000") || cfg.EngineOnly {
		t.Fatalf("default node %q (want host name and port), engine-only %v", cfg.Node, cfg.EngineOnly)
	}
	if cfg, _, _ := parseFlags(nil, io.Discard); len(cfg.NATS) != 0 || cfg.Node != "" {
		t.Fatalf("without -nats: %+v, want a single node", cfg)
	}
}

// The product binary never links nats-server (tests import it only).
func TestBinaryHasNoNATSServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "nats-server") {
		t.Fatal("the binary depends on nats-server")
	}
	if !strings.Contains(string(out), "github.com/nats-io/nats.go/jetstream") {
		t.Fatal("the binary lacks the NATS client: is the cluster wiring gone?")
	}
}

func startTestNATS(t *testing.T, opts *natsserver.Options) *natsserver.Server {
	t.Helper()
	opts.JetStream, opts.NoLog, opts.NoSigs = true, true, true
	if opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(ns.Shutdown)
	return ns
}

func startClusterMain(t *testing.T, cfg Config) *Main {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A full node and an engine-only node, each with its own data directory,
// on one NATS server: an app made by "apps create -nats" (from a third
// directory) reaches both, a subscriber on the engine-only node receives
// what is published on the full node, the engine-only node serves no
// portal pages, and /healthz names NATS and answers 503 while it is down.
func TestClusterNodes(t *testing.T) {
	ns := startTestNATS(t, &natsserver.Options{Host: "127.0.0.1", Port: -1})
	full := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "full", SkipDemo: true})
	edge := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "edge", EngineOnly: true})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"-data", t.TempDir(), "apps", "create", "demo", "-json", "-nats", ns.ClientURL()}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var created createdApp
	if err := json.Unmarshal(out.Bytes(), &created); err != nil {
		t.Fatalf("apps create -json printed %q: %v", out.String(), err)
	}
	var a engine.App
	for _, m := range []*Main{full, edge} {
		deadline := time.Now().Add(time.Second)
		for {
			got, err := m.Engine.GetApp(ctx, created.AppID)
			if err == nil {
				a = got
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s: app not there within 1 s: %v", m.Config.Node, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	tok, err := engine.MintToken(a.ID, a.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(edge.URL(), "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make(chan client.Message, 10)
	if _, err := c.Subscribe(ctx, "news", func(m client.Message) { got <- m }); err != nil {
		t.Fatal(err)
	}
	pos, err := full.Engine.Publish(ctx, a.ID, "news", json.RawMessage(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Offset != pos.Offset || string(m.Data) != `{"n":1}` {
			t.Fatalf("got %+v, want offset %d", m, pos.Offset)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the engine-only node's subscriber got nothing")
	}
	if code, body := getBody(t, edge.URL()+"/healthz"); code != 200 || body != "ok\nnode: edge\nnats: ok\n" {
		t.Fatalf("edge /healthz %d %q", code, body)
	}
	if code, _ := getBody(t, edge.URL()+"/en/docs/overview"); code != 404 {
		t.Fatalf("engine-only node serves docs: %d", code)
	}
	if code, _ := getBody(t, full.URL()+"/en/docs/overview"); code != 200 {
		t.Fatalf("full node docs: %d", code)
	}
	if _, body := getBody(t, edge.URL()+"/metrics"); !strings.Contains(body, `switchboard_node_info{node="edge"} 1`) {
		t.Fatalf("edge /metrics lacks its node label:\n%.2000s", body)
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	if code, body := getBody(t, full.URL()+"/healthz"); code != 503 || !strings.HasPrefix(body, "nats unavailable\n") {
		t.Fatalf("/healthz with NATS down: %d %q", code, body)
	}
}

// -status-probe-urls on the full node: its status prober probes each
// listed node through that node's own /v1/ws (the probe app reaches it
// through the shared registry) and across nodes (published on the other
// node, received on this one), names it from its /healthz, and the
// status page and /api/status show a row per node; a stopped node's row
// goes down while the other stays up.
func TestClusterStatusProbesNodes(t *testing.T) {
	ns := startTestNATS(t, &natsserver.Options{Host: "127.0.0.1", Port: -1})
	edge1 := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "edge-1", EngineOnly: true})
	edge2 := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "edge-2", EngineOnly: true})
	full := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "full", SkipDemo: true,
		StatusProbeURLs: []string{edge1.URL(), edge2.URL()}})
	ctx := context.Background()
	app, err := full.Status.EnsureProbeApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Main{edge1, edge2} {
		for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if _, err := m.Engine.GetApp(ctx, app.ID); err == nil {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("node %s: probe app not there: %v", m.Config.Node, err)
			}
		}
	}
	p, err := full.Status.ProbeOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != 2 || p.Nodes[0].Node != "edge-1" || p.Nodes[1].Node != "edge-2" {
		t.Fatalf("node probes %+v, want edge-1 and edge-2", p.Nodes)
	}
	for _, np := range p.Nodes {
		// Cross: published on the other edge node, received on this one.
		if np.Connect != "ok" || np.Messaging != "ok" || np.Peer != "ok" || np.Cross != "ok" || np.CrossDelivered != 5 {
			t.Fatalf("node %s: %s %s %s, cross %s %d (%s)", np.Node, np.Connect, np.Messaging, np.Peer, np.Cross, np.CrossDelivered, np.Error)
		}
	}

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := edge2.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if p, err = full.Status.ProbeOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Nodes[0].Connect != "ok" || p.Nodes[1].Connect != "failed" || p.Nodes[1].Node != "edge-2" {
		t.Fatalf("after edge-2 stopped: %+v", p.Nodes)
	}
	// The portal caches the summary for 5 s; wait for one that has both probes.
	var sum struct {
		Nodes []struct {
			Name    string `json:"name"`
			State   string `json:"state"`
			Last24h struct {
				ProbesOK     int `json:"probes_ok"`
				ProbesFailed int `json:"probes_failed"`
			} `json:"last_24h"`
		} `json:"nodes"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, body := getBody(t, full.URL()+"/api/status")
		if err := json.Unmarshal([]byte(body), &sum); err != nil {
			t.Fatalf("/api/status: %v: %.300s", err, body)
		}
		if len(sum.Nodes) == 2 && sum.Nodes[1].Last24h.ProbesFailed > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/api/status nodes %+v, want edge-2 with a failed probe", sum.Nodes)
		}
	}
	if n := sum.Nodes[0]; n.Name != "edge-1" || n.State != "operational" || n.Last24h.ProbesFailed != 0 {
		t.Errorf("edge-1 row %+v, want operational, no failed probe", n)
	}
	if n := sum.Nodes[1]; n.Name != "edge-2" || n.State == "operational" {
		t.Errorf("edge-2 row %+v, want not operational", n)
	}
	_, page := getBody(t, full.URL()+"/en/status")
	for _, want := range []string{`<tr data-node="edge-1">`, `<tr data-node="edge-2">`, "Engine nodes"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
}
