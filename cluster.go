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
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
	"github.com/switchboard-rtm/switchboard/portal"
)

// openNATS connects to the cluster's NATS servers (reconnecting forever
// when they go away) and returns the JetStream broker on that connection.
func (m *Main) openNATS(ctx context.Context) (*engine.NATSBroker, error) {
	log := m.Log.With("component", "nats")
	nc, err := nats.Connect(strings.Join(m.Config.NATS, ","),
		nats.Name("switchboard "+m.Config.Node),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("nats disconnected", "err", err) }),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "url", c.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) { log.Warn("nats error", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", strings.Join(m.Config.NATS, ","), err)
	}
	m.NATS = nc
	l := m.Config.EngineLimits
	b, err := engine.NewNATSBroker(ctx, engine.NATSBrokerConfig{Conn: nc, Node: m.Config.Node, Replicas: m.Config.NATSReplicas,
		HistorySize: l.HistorySize, HistoryTTL: l.HistoryTTL, Logger: m.Log.With("component", "broker")})
	if err != nil {
		return nil, err
	}
	log.Info("cluster node", "nats", nc.ConnectedUrlRedacted(), "replicas", max(1, m.Config.NATSReplicas))
	return b, nil
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
