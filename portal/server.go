// Package portal is the only package that knows HTTP pages: the echo
// server, its routes, templates and static files. It wires the domain
// packages (content, engine, forum, sandbox, status) to the web; they never
// import it.
package portal

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-rtm/switchboard/alerts"
	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sandbox"
	"github.com/switchboard-rtm/switchboard/status"
	"github.com/switchboard-rtm/switchboard/support"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// Config holds the server's dependencies. main builds the concrete values.
type Config struct {
	DB     *sql.DB
	Logger *slog.Logger

	// Docs is the docs tree (content.Docs() or os.DirFS in -dev).
	Docs fs.FS
	// Includes holds source files that docs code blocks include.
	Includes fs.FS
	// Templates and Static are this package's embedded files, or os.DirFS
	// in -dev mode.
	Templates fs.FS
	Static    fs.FS
	// Locales holds the go-i18n message files.
	Locales fs.FS
	// Dev re-reads docs, templates and static files on every request.
	Dev bool

	// EditURL is the base of "Edit this page" links; the page's file path
	// under content/docs/ is appended.
	EditURL string
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// when finding a client's IP. Empty: only the TCP peer address counts.
	TrustedProxies []string
	// SecureCookies marks cookies Secure and sends Strict-Transport-Security
	// even without TLS (behind a TLS-terminating proxy).
	SecureCookies bool

	Feedback *content.FeedbackStore

	// SDK holds the JavaScript SDK files served under /sdk/v1/.
	SDK fs.FS
	// Engine is the real-time engine's WebSocket endpoint, mounted at
	// /v1/ws on the portal's port.
	Engine http.Handler
	// ServerAPI is the engine's server API (package serverapi), mounted at
	// /v1/api/. It authenticates with API keys, not cookies, so the CSRF
	// check does not apply to it.
	ServerAPI http.Handler
	// Sandbox serves sandbox apps and load tests (nil: no sandbox routes).
	Sandbox *sandbox.Service
	// Forum is the community forum (nil: no forum, account or admin
	// routes).
	Forum *forum.Store
	// Status measures the engine and keeps incidents (nil: no status
	// page, /api/status or incidents feed).
	Status *status.Monitor
	// SLA keeps the forum's response-time metrics (nil: no staff queue,
	// response-time dashboard or SLA admin page).
	SLA *forum.SLA
	// Console is the developer console's teams and apps (nil, or no
	// Forum: no console routes; forum accounts sign in to it).
	Console *console.Service
	// Webhooks manages the apps' webhook endpoints in the console.
	Webhooks *webhooks.Service
	// Usage holds the apps' usage and health (nil: no usage pages).
	Usage *usage.Service
	// Alerts holds the apps' alert rules and history (nil: none).
	Alerts *alerts.Service
	// EngineLimits are the engine's limits in force (engine.Limits()),
	// shown beside each app's overrides on its console page.
	EngineLimits engine.Limits
	// Support is private support: plans and tickets (nil: no /support).
	// It needs Forum and SLA.
	Support *support.Service
	// Notify holds the notification-email preferences (nil: the settings
	// page offers no digest).
	Notify NotifyPrefs
	// Mail is the outbox for password resets, address verification and
	// notifications (nil: no email, no "Forgot password?").
	Mail Mailer
	// PublicURL is the base of absolute links in emails; empty: the
	// request's own scheme and host.
	PublicURL string

	// Node names this server in /healthz and as the node label of
	// /metrics (a cluster member; "" on a single node).
	Node string
	// Health lists dependencies /healthz checks besides the database,
	// such as NATS on a cluster node.
	Health []HealthCheck
	// EngineOnly serves only the engine's endpoints: /v1/ws, /v1/api/,
	// /healthz and /metrics (an engine node behind a load balancer).
	EngineOnly bool

	Now func() time.Time
}

// HealthCheck is a dependency /healthz checks: Check returns an error
// while Name is unavailable.
type HealthCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server serves the portal.
type Server struct {
	// ctx is New's context: it bounds the server's own background work
	// (the forum indexer), which outlives any one request.
	ctx     context.Context
	cfg     Config
	echo    *echo.Echo
	log     *slog.Logger
	i18n    *i18n.Bundle
	reg     *prometheus.Registry
	metrics *httpMetrics

	docs   *docsState // replaced under devMu on every request in -dev mode
	devMu  sync.Mutex
	tmpl   *templates
	assets *assets

	statusCache statusCache // the latest status.Summary (status_routes.go)

	anonPages     boundedCache[*anonPage] // anonymous readers' pages (page_cache.go)
	postFragments boundedCache[string]    // rendered posts (forum_post_cache.go)
}

// New builds a server: it renders every docs page, builds the search index
// and parses the templates, so that a bad page or template fails start-up.
// ctx also bounds the server's background work: when it ends, the forum
// indexer stops following changes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Templates == nil {
		cfg.Templates = Templates()
	}
	if cfg.Static == nil {
		cfg.Static = Static()
	}
	if cfg.EditURL == "" {
		cfg.EditURL = DefaultEditURL
	}
	s := &Server{ctx: ctx, cfg: cfg, log: cfg.Logger, reg: prometheus.NewRegistry()}
	s.anonPages.max, s.postFragments.max = anonPagesMax, postCacheMax
	var err error
	if s.i18n, err = newBundle(cfg.Locales); err != nil {
		return nil, err
	}
	if s.assets, err = newAssets(cfg.Static); err != nil {
		return nil, err
	}
	if s.tmpl, err = newTemplates(cfg.Templates, s.assets, cfg.Dev); err != nil {
		return nil, err
	}
	if s.docs, err = s.loadDocs(ctx); err != nil {
		return nil, err
	}
	s.metrics = newHTTPMetrics(s.reg)
	s.registerNodeMetrics()

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor, err = ipExtractor(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	e.Pre(headAsGet)
	// One address per page: "/en/docs/overview/" redirects to the
	// canonical "/en/docs/overview" rather than serving a duplicate.
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		Skipper:      func(c echo.Context) bool { return !needsSlashRemoval(c.Request().URL.Path) },
		RedirectCode: http.StatusMovedPermanently,
	}))
	e.Use(restoreHead, s.recoverPanics, s.metrics.middleware, s.securityHeaders, s.csrf)
	e.Use(keepRawWriter) // cached pages send their own gzip bytes (page_cache.go)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level:   1, // ~140 µs less CPU per docs page than level 5, for a few % more bytes
		Skipper: func(c echo.Context) bool { return c.Request().Header.Get("Upgrade") != "" },
	}))
	s.echo = e
	s.registerRoutes()
	return s, nil
}

// DefaultEditURL is where "Edit this page" points unless configured.
const DefaultEditURL = "https://github.com/switchboard-rtm/switchboard/edit/main/content/docs/"

// Handler returns the portal as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Registry exposes the Prometheus registry so that other parts can add
// their collectors to /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Mount serves h for every method at path (e.g. the engine at /v1/ws).
func (s *Server) Mount(path string, h http.Handler) {
	s.echo.Any(path, echo.WrapHandler(h))
}

func (s *Server) registerRoutes() {
	s.registerHealthRoutes()
	if s.cfg.EngineOnly {
		s.registerEngineRoutes()
		return
	}
	s.registerStaticRoutes()
	s.registerDocsRoutes()
	s.registerSearchRoutes()
	s.registerSDKRoutes()
	s.registerSandboxRoutes()
	s.registerForumRoutes()
	s.registerAccountRoutes()
	s.registerAccountEmailRoutes()
	s.registerAdminRoutes()
	s.registerMailRoutes()
	s.registerSupportRoutes()
	s.registerStatusRoutes()
	s.registerSLARoutes()
	s.registerEngineRoutes()
}

func (s *Server) registerEngineRoutes() {
	s.registerConsoleRoutes()
	if s.cfg.Engine != nil {
		s.Mount("/v1/ws", s.cfg.Engine)
	}
	if s.cfg.ServerAPI != nil {
		s.Mount("/v1/api/*", s.cfg.ServerAPI)
	}
}

// needsSlashRemoval reports whether a trailing slash should be dropped:
// "/en/docs/" is the docs home and keeps its slash, as do "/en/" pages.
func needsSlashRemoval(p string) bool {
	if len(p) <= 1 || p[len(p)-1] != '/' {
		return false
	}
	switch p {
	case "/en/", "/zh/", "/en/docs/", "/zh/docs/":
		return false
	}
	return true
}

// recoverPanics turns a handler's panic into a 500 whose log line carries
// the goroutine's stack (handleError logs it), so that the bug can be
// found. http.ErrAbortHandler keeps its meaning: abort the response.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = &panicError{path: c.Request().URL.Path, value: r, stack: debug.Stack()}
			}
		}()
		return next(c)
	}
}

// panicError is a recovered panic with the stack where it happened.
type panicError struct {
	path  string
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic serving %s: %v", e.path, e.value) }
