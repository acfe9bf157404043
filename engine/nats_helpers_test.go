package engine_test

import (
	"context"
	"os"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rtm/switchboard/engine"
)

// natsBrokerEnv is the environment variable that runs the engine's
// behaviour tests (every newEnv) on a NATSBroker with an embedded
// nats-server instead of the MemoryBroker: .ci/run runs the package both
// ways.
const natsBrokerEnv = "SWITCHBOARD_TEST_BROKER"

func wantNATS() bool { return os.Getenv(natsBrokerEnv) == "nats" }

// startNATS runs an embedded nats-server with JetStream in t.TempDir() on
// a free loopback port, until the test ends.
func startNATS(t testing.TB) *natsserver.Server {
	t.Helper()
	return startNATSOpts(t, &natsserver.Options{Host: "127.0.0.1", Port: -1})
}

func startNATSOpts(t testing.TB, opts *natsserver.Options) *natsserver.Server {
	t.Helper()
	opts.JetStream = true
	if opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	opts.NoLog, opts.NoSigs = true, true
	s, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// dialNATS connects to url the way main does: reconnecting forever.
func dialNATS(t testing.TB, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// newNATSBroker returns a broker for an engine with limits l on the
// server at url.
func newNATSBroker(t testing.TB, url, node string, l engine.Limits, now func() time.Time) *engine.NATSBroker {
	t.Helper()
	return newNATSBrokerReplicas(t, url, node, l, now, 1)
}

// newNATSBrokerReplicas is newNATSBroker with streams of replicas replicas
// (on a NATS cluster).
func newNATSBrokerReplicas(t testing.TB, url, node string, l engine.Limits, now func() time.Time, replicas int) *engine.NATSBroker {
	t.Helper()
	l = engine.Limits{HistorySize: l.HistorySize, HistoryTTL: l.HistoryTTL}
	nc := dialNATS(t, url)
	b, err := engine.NewNATSBroker(context.Background(), engine.NATSBrokerConfig{Conn: nc, Node: node, Replicas: replicas,
		HistorySize: l.HistorySize, HistoryTTL: l.HistoryTTL, Now: now, CatchUpInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
