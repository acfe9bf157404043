package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/jssdk"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/portal"
)

// cluster is a node's connection to the cluster: NATS, the JetStream
// broker, the shared app registry and cluster-wide presence.
type cluster struct {
	nc       *nats.Conn
	broker   *engine.NATSBroker
	registry *engine.NATSRegistry
	presence *engine.NATSPresence
	peers    *engine.NATSPeers
}

// engineConfig makes ecfg a cluster member's (the engine's Shutdown
// closes the broker and the presence).
func (c *cluster) engineConfig(ecfg *engine.Config) {
	ecfg.Broker, ecfg.Registry, ecfg.Presence, ecfg.Peers = c.broker, c.registry, c.presence, c.peers
}

// openCluster connects to cfg.NATS (reconnecting forever when NATS goes
// away) and opens the broker and the app registry on that connection.
func openCluster(ctx context.Context, cfg Config, log *slog.Logger) (*cluster, error) {
	nc, err := dialNATS(cfg, log.With("component", "nats"))
	if err != nil {
		return nil, err
	}
	l := cfg.EngineLimits
	b, err := engine.NewNATSBroker(ctx, engine.NATSBrokerConfig{Conn: nc, Node: cfg.Node, Replicas: cfg.NATSReplicas,
		HistorySize: l.HistorySize, HistoryTTL: l.HistoryTTL, Logger: log.With("component", "broker")})
	if err != nil {
		nc.Close()
		return nil, err
	}
	reg, err := engine.NewNATSRegistry(ctx, nc, cfg.NATSReplicas)
	if err != nil {
		b.Close()
		nc.Close()
		return nil, err
	}
	pres, err := engine.NewNATSPresence(ctx, engine.NATSPresenceConfig{Conn: nc, Node: cfg.Node, Replicas: cfg.NATSReplicas,
		Logger: log.With("component", "presence")})
	if err != nil {
		b.Close()
		nc.Close()
		return nil, err
	}
	peers, err := engine.NewNATSPeers(ctx, engine.NATSPeersConfig{Conn: nc, Replicas: cfg.NATSReplicas,
		TTL: l.OfflineTTL, MaxPerUser: l.MaxOfflinePerUser})
	if err != nil {
		pres.Close()
		b.Close()
		nc.Close()
		return nil, err
	}
	return &cluster{nc: nc, broker: b, registry: reg, presence: pres, peers: peers}, nil
}

// openNATS makes m a cluster node; m.NATS closes after the engine.
func (m *Main) openNATS(ctx context.Context) (*cluster, error) {
	c, err := openCluster(ctx, m.Config, m.Log)
	if err != nil {
		return nil, err
	}
	m.NATS = c.nc
	m.Log.Info("cluster node", "nats", c.nc.ConnectedUrlRedacted(), "replicas", max(1, m.Config.NATSReplicas))
	return c, nil
}

func dialNATS(cfg Config, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect(strings.Join(cfg.NATS, ","),
		nats.Name("switchboard "+cfg.Node),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: closed on purpose
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "url", c.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) { log.Warn("nats error", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", strings.Join(cfg.NATS, ","), err)
	}
	return nc, nil
}

// serveEngineOnly finishes Run for -engine-only: the engine's WebSocket
// and server API, /healthz and /metrics, without the docs, forum, sandbox
// and status pages (one full node serves those).
func (m *Main) serveEngineOnly(ctx context.Context, start time.Time, health []portal.HealthCheck) error {
	api, err := serverapi.New(serverapi.Config{Engine: m.Engine, Logger: m.Log.With("component", "serverapi")})
	if err != nil {
		return err
	}
	if m.Portal, err = portal.New(ctx, portal.Config{EngineOnly: true, Engine: m.Engine.Handler(), ServerAPI: api.Handler(),
		DB: m.DB, Logger: m.Log, TrustedProxies: m.Config.TrustedProxies, Node: m.Config.Node, Health: health,
		// The error pages need the templates and locales; no docs are served.
		Docs: content.Docs(), Includes: includes(), Locales: locales.FS(), SDK: jssdk.FS()}); err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	m.server = &http.Server{Handler: m.Portal.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(m.ln) }()
	m.Log.Info("listening, engine only", "url", m.URL(), "data", m.Config.DataDir, "startup", time.Since(start).Round(time.Millisecond))
	return nil
}
