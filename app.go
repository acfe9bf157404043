package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/jssdk"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/mail"
	"github.com/switchboard-rtm/switchboard/notify"
	"github.com/switchboard-rtm/switchboard/portal"
	"github.com/switchboard-rtm/switchboard/sandbox"
	"github.com/switchboard-rtm/switchboard/status"
	"github.com/switchboard-rtm/switchboard/support"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// Main is the running program: the database, the domain services and the
// HTTP server, wired together. Tests start the same wiring on 127.0.0.1:0
// with a temporary data directory.
type Main struct {
	Config Config
	Log    *slog.Logger

	DB      *sql.DB
	Engine  *engine.Engine
	Portal  *portal.Server
	Sandbox *sandbox.Service
	Forum   *forum.Store
	// Webhooks stores the engine's events and delivers them; it closes
	// after the engine, so the disconnects of a shutdown are kept.
	Webhooks *webhooks.Service
	SLA      *forum.SLA // response-time metrics, kept from the forum's events
	// Console holds teams and their apps; stopConsole ends its purge of
	// deleted apps and consoleDone closes when that has returned.
	Console     *console.Service
	stopConsole context.CancelFunc
	consoleDone chan struct{}
	// Usage stores the apps' usage counters every interval; stopUsage
	// ends it (with a last flush) after the engine has shut down.
	Usage     *usage.Service
	stopUsage context.CancelFunc
	usageDone chan struct{}
	// Alerts evaluates the apps' alert rules after each usage flush;
	// stopAlerts ends it, before the mail and forum it notifies through.
	Alerts     *alerts.Service
	stopAlerts context.CancelFunc
	alertsDone chan struct{}
	// Mail is the outbox; its Run delivers until stopMail, and mailDone
	// closes when Run has returned (before the database closes).
	Support  *support.Service // plans and private tickets
	Notify   *notify.Mailer   // notification emails and digests
	Mail     *mail.Outbox
	stopMail context.CancelFunc
	mailDone chan struct{}
	// notifyDone closes when the notification mailer (stopped with
	// stopMail) has returned.
	notifyDone chan struct{}

	// Status probes this server's own engine endpoint; stopStatus ends
	// its Run and statusDone closes when Run has returned.
	Status     *status.Monitor
	stopStatus context.CancelFunc
	statusDone chan struct{}

	// stopCheckpoints ends db.RunCheckpoints; checkpointsDone closes when
	// it has returned, before the database closes.
	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}

	// NATS is the cluster connection (nil on a single node); it closes
	// after the engine.
	NATS *nats.Conn

	ln     net.Listener
	server *http.Server
	done   chan error
}

// NewMain returns an unstarted program.
func NewMain(cfg Config, log *slog.Logger) *Main {
	if log == nil {
		log = slog.Default()
	}
	return &Main{Config: cfg, Log: log}
}

// Run opens the database, builds every part, and starts serving in the
// background. It returns once the server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	start := time.Now()
	var err error
	if m.Config.Node != "" {
		m.Log = m.Log.With("node", m.Config.Node)
	}
	if m.DB, err = db.Open(ctx, filepath.Join(m.Config.DataDir, db.FileName)); err != nil {
		return err
	}
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopCheckpoints, m.checkpointsDone = stop, make(chan struct{})
	go func() {
		defer close(m.checkpointsDone)
		db.RunCheckpoints(cctx, m.DB, db.CheckpointInterval, m.Log.With("component", "db"))
	}()
	feedback, err := content.NewFeedbackStore(ctx, m.DB, nil)
	if err != nil {
		return err
	}
	if m.Webhooks, err = webhooks.New(ctx, webhooks.Config{DB: m.DB, Logger: m.Log.With("component", "webhooks"),
		DenyPrivate: m.Config.WebhooksDenyPrivate}); err != nil {
		return err
	}
	if err := m.Webhooks.Start(ctx); err != nil {
		return err
	}
	ecfg := engine.Config{DB: m.DB, Logger: m.Log.With("component", "engine"), Limits: m.Config.EngineLimits,
		// The docs' Run buttons run snippets in <iframe sandbox="allow-scripts">,
		// whose opaque origin arrives as "Origin: null", an origin without a
		// host: the pattern "" admits exactly those. Tokens, not cookies,
		// authenticate WebSockets, so this grants a page nothing.
		OriginPatterns: append([]string{""}, m.Config.AllowedOrigins...),
	}
	m.Webhooks.Hook(&ecfg)
	var health []portal.HealthCheck
	if len(m.Config.NATS) > 0 {
		c, err := m.openNATS(ctx)
		if err != nil {
			return err
		}
		c.engineConfig(&ecfg)
		health = append(health, portal.HealthCheck{Name: "nats", Check: c.broker.Health})
	}
	if m.Engine, err = engine.New(ctx, ecfg); err != nil {
		return err
	}
	if m.Config.EngineOnly {
		return m.serveEngineOnly(ctx, start, health)
	}
	// Alerts are evaluated after each usage flush; m.Alerts is set
	// before the usage goroutine starts (startAlerts), which reads it.
	if m.Usage, err = usage.New(ctx, usage.Config{DB: m.DB, Source: m.Engine, Interval: m.Config.UsageInterval,
		Logger: m.Log.With("component", "usage"), OnFlush: func(now time.Time) { m.Alerts.Flushed(now) }}); err != nil {
		return err
	}
	m.Sandbox, err = sandbox.New(ctx, sandbox.Config{
		DB: m.DB, Engine: m.Engine, Logger: m.Log.With("component", "sandbox"),
		// The load-test runner dials this server's own listener.
		WSURL: func() string { return "ws://" + m.ln.Addr().String() + "/v1/ws" },
	})
	if err != nil {
		return err
	}
	m.Sandbox.Start()
	if m.Forum, err = m.openForum(ctx); err != nil {
		return err
	}
	if err := m.openMail(ctx); err != nil {
		return err
	}
	// Holiday files in <data dir>/calendars replace or extend the embedded
	// ones (sla.LoadCalendars), so admins update them without a release.
	if m.SLA, err = forum.NewSLA(ctx, m.Forum, forum.SLAConfig{CalendarsDir: filepath.Join(m.Config.DataDir, "calendars"),
		Logger: m.Log.With("component", "sla")}); err != nil {
		return err
	}
	if m.Console, err = console.New(ctx, console.Config{DB: m.DB, Engine: m.Engine, Users: consoleUsers{m.Forum},
		Logger: m.Log.With("component", "console")}); err != nil {
		return err
	}
	pctx, stopConsole := context.WithCancel(context.WithoutCancel(ctx))
	m.stopConsole, m.consoleDone = stopConsole, make(chan struct{})
	go func() {
		defer close(m.consoleDone)
		m.Console.Run(pctx, time.Minute)
	}()
	// A ticket belongs to a console team; its members see it.
	if m.Support, err = support.Open(ctx, support.Config{DB: m.DB, Teams: supportTeams{console: m.Console, users: m.Forum},
		Apps: supportApps{console: m.Console, usage: m.Usage}, Users: m.Forum, Render: m.Forum.RenderPreview, Schedule: m.SLA.Schedule, Logger: m.Log.With("component", "support")}); err != nil {
		return err
	}
	// The prober dials this server's public endpoints as a client would,
	// so it needs the bound address: listen before building the portal.
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	addr := m.ln.Addr().String()
	if err := m.startAlerts(ctx); err != nil {
		return err
	}
	uctx, stopUsage := context.WithCancel(context.WithoutCancel(ctx))
	m.stopUsage, m.usageDone = stopUsage, make(chan struct{})
	go func() {
		defer close(m.usageDone)
		m.Usage.Run(uctx)
	}()
	if m.Status, err = status.New(ctx, status.Config{DB: m.DB, Logger: m.Log.With("component", "status"), Apps: m.Engine,
		EngineURL: "ws://" + addr + "/v1/ws", HTTPURL: "http://" + addr + "/healthz", NodeURLs: m.Config.StatusProbeURLs}); err != nil {
		return err
	}
	api, err := serverapi.New(serverapi.Config{Engine: m.Engine, Logger: m.Log.With("component", "serverapi")})
	if err != nil {
		return err
	}
	if m.Notify, err = notify.Open(ctx, notify.Config{DB: m.DB, Forum: m.Forum, Mail: m.Mail, Logger: m.Log.With("component", "notify"),
		BaseURL: func() string {
			if m.Config.PublicURL != "" {
				return m.Config.PublicURL
			}
			return m.URL()
		}, Interval: m.Config.NotifyInterval}); err != nil {
		return err
	}
	pc := portal.Config{
		ServerAPI:      api.Handler(),
		Status:         m.Status,
		Sandbox:        m.Sandbox,
		Engine:         m.Engine.Handler(),
		SDK:            jssdk.FS(),
		DB:             m.DB,
		Logger:         m.Log,
		Docs:           content.Docs(),
		Includes:       includes(),
		Locales:        locales.FS(),
		EditURL:        m.Config.EditURL,
		TrustedProxies: m.Config.TrustedProxies,
		SecureCookies:  m.Config.SecureCookies,
		Feedback:       feedback,
		Forum:          m.Forum,
		SLA:            m.SLA,
		Node:           m.Config.Node,
		Health:         health,
		Console:        m.Console,
		Webhooks:       m.Webhooks,
		Usage:          m.Usage,
		Alerts:         m.Alerts,
		EngineLimits:   m.Engine.Limits(),
		Mail:           m.Mail,
		Support:        m.Support,
		Notify:         m.Notify,
		PublicURL:      m.Config.PublicURL,
	}
	if m.Config.Dev {
		pc.Dev = true
		pc.Docs = os.DirFS("content/docs")
		pc.Includes = os.DirFS(".")
		pc.Templates = os.DirFS("portal/templates")
		pc.Static = os.DirFS("portal/static")
		pc.Locales = os.DirFS("locales")
	}
	if m.Portal, err = portal.New(ctx, pc); err != nil {
		return err
	}
	registerWebhookMetrics(m.Portal.Registry(), m.Webhooks)
	m.server = &http.Server{
		Handler:           m.Portal.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(m.ln) }()
	m.startNotify(ctx)
	// The prober runs until Shutdown or Close, not until ctx ends: it
	// must stop before the engine and the database it uses.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stopStatus, m.statusDone = cancel, make(chan struct{})
	go func() {
		defer close(m.statusDone)
		if err := m.Status.Run(sctx); err != nil && !errors.Is(err, context.Canceled) {
			m.Log.Error("status prober stopped", "err", err)
		}
	}()
	m.Log.Info("listening", "url", m.URL(), "data", m.Config.DataDir, "dev", m.Config.Dev, "startup", time.Since(start).Round(time.Millisecond))
	return nil
}

// URL is the base URL the server listens on.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return "http://" + m.ln.Addr().String()
}

// Shutdown stops accepting connections, lets in-flight requests finish
// until ctx ends, and closes the database cleanly.
func (m *Main) Shutdown(ctx context.Context) error {
	var errs []error
	m.stopProber()
	if m.Sandbox != nil {
		m.Sandbox.Close() // ends running load tests before the engine goes away
	}
	if m.Engine != nil {
		// WebSockets are hijacked connections that http.Server.Shutdown
		// does not track: the engine tells its clients to reconnect first.
		if err := m.Engine.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("engine shutdown: %w", err))
		}
	}
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.server = nil
	}
	if err := m.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// stopProber ends the status prober's Run and the console's purge, and
// waits for them.
func (m *Main) stopProber() {
	if m.stopConsole != nil {
		m.stopConsole()
		<-m.consoleDone
		m.stopConsole = nil
	}
	if m.stopStatus != nil {
		m.stopStatus()
		<-m.statusDone
		m.stopStatus = nil
	}
}

// Close releases everything without waiting for requests.
func (m *Main) Close() error {
	m.stopProber()
	if m.Sandbox != nil {
		m.Sandbox.Close()
	}
	if m.server != nil {
		m.server.Close()
		m.server = nil
	} else if m.ln != nil {
		m.ln.Close() // Run failed after listening
	}
	if m.Engine != nil {
		// Without a Shutdown first (Run failed, or a command's Main), the
		// engine's background work would outlive the database it uses.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := m.Engine.Shutdown(ctx); err != nil && !errors.Is(err, engine.ErrClosed) {
			m.Log.Warn("engine shutdown", "err", err)
		}
		cancel()
	}
	if m.stopAlerts != nil {
		m.stopAlerts()
		<-m.alertsDone
		m.stopAlerts = nil
	}
	if m.stopMail != nil {
		m.stopMail() // an attempt in flight is retried after the next start
		<-m.mailDone
		if m.notifyDone != nil {
			<-m.notifyDone
		}
		m.stopMail = nil
	}
	if m.SLA != nil {
		m.SLA.Close() // ends a background recompute before the store closes
	}
	if m.Forum != nil {
		m.Forum.Close()
		m.Forum = nil
	}
	if m.stopUsage != nil {
		m.stopUsage() // its last flush keeps the shutdown's disconnects
		<-m.usageDone
		m.stopUsage = nil
	}
	if m.Webhooks != nil {
		m.Webhooks.Close() // writes queued events; after Shutdown's engine shutdown
		m.Webhooks = nil
	}
	if m.NATS != nil {
		m.NATS.Close() // after the engine, whose broker uses it
		m.NATS = nil
	}
	if m.stopCheckpoints != nil {
		m.stopCheckpoints()
		<-m.checkpointsDone
		m.stopCheckpoints = nil
	}
	if m.DB != nil {
		err := m.DB.Close()
		m.DB = nil
		return err
	}
	return nil
}

// includes returns the source files docs code blocks may include.
func includes() fs.FS { return includeFS }

// openForum opens the forum store with the docs' Markdown dialect for
// posts, and seeds it: the categories always, demo users and topics when
// Config.SkipDemo is not set (-seed=false sets it).
func (m *Main) openForum(ctx context.Context) (*forum.Store, error) {
	bundle, err := locales.NewBundle(locales.FS())
	if err != nil {
		return nil, err
	}
	labels := func(lang, id string) string {
		out, err := i18n.NewLocalizer(bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id})
		if err != nil {
			return id
		}
		return out
	}
	st, err := forum.Open(ctx, m.DB, forum.Config{
		Renderer: content.NewPostRenderer(labels),
		Logger:   m.Log.With("component", "forum"),
	})
	if err != nil {
		return nil, err
	}
	if err := st.Seed(ctx, forum.SeedOptions{Demo: !m.Config.SkipDemo}); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// openMail opens the outbox and starts its delivery (which only waits
// when no SMTP server is configured).
func (m *Main) openMail(ctx context.Context) error {
	bundle, err := locales.NewBundle(locales.FS())
	if err != nil {
		return err
	}
	m.Mail, err = mail.Open(ctx, mail.Config{
		DB: m.DB, Logger: m.Log.With("component", "mail"), From: m.Config.SMTPFrom,
		SMTP: mail.SMTP{Addr: m.Config.SMTPAddr, User: m.Config.SMTPUser, Password: m.Config.SMTPPassword,
			StartTLS: m.Config.SMTPStartTLS, TLS: m.Config.SMTPTLS},
		Localize: func(lang, id string, data map[string]any) (string, error) {
			return i18n.NewLocalizer(bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
		},
	})
	if err != nil {
		return err
	}
	if !m.Mail.Configured() {
		m.Log.Info("no SMTP server (-smtp-addr): mail stays in the outbox, see /en/admin/outbox")
	}
	mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopMail, m.mailDone = stop, make(chan struct{})
	go func() {
		defer close(m.mailDone)
		m.Mail.Run(mctx)
	}()
	return nil
}

// startNotify starts the mailer of forum notifications (mentions, watched
// replies); stopMail ends it with the outbox's delivery.
func (m *Main) startNotify(ctx context.Context) {
	n := m.Notify
	nctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	prev := m.stopMail
	m.stopMail = func() { stop(); prev() }
	m.notifyDone = make(chan struct{})
	go func() {
		defer close(m.notifyDone)
		n.Run(nctx)
	}()
}
