// Command switchboard serves the Switchboard developer portal: bilingual
// docs with search, the embedded real-time messaging engine, the sandbox,
// the community forum and the status page, all on one port.
//
// main.go is the only place that reads flags and environment variables;
// it builds the concrete types and wires them together.
//
//	go run .                  serve on 127.0.0.1:8080 with data in ./data
//	go run . i18n-status      list missing and outdated translations
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/switchboard-rtm/switchboard/engine"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -help printed the usage: not a failure
		}
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

// Config is everything the flags and environment decide.
type Config struct {
	Addr           string
	DataDir        string
	Dev            bool
	EditURL        string
	TrustedProxies []string
	SecureCookies  bool
	// AllowedOrigins are the web origins (host patterns) whose pages may open
	// engine WebSockets. Tokens, not cookies, authenticate a WebSocket, so
	// the default "*" lets your own web apps on any origin connect.
	AllowedOrigins []string
	// PprofAddr, when set, serves net/http/pprof on that (separate,
	// loopback) address, e.g. to profile the server "bench" starts.
	PprofAddr string
	LogLevel  slog.Level
	// SkipDemo leaves an empty forum without the demo users, topics and
	// answers (-seed=false); the categories are always created.
	SkipDemo bool
	// WebhooksDenyPrivate refuses webhook endpoints on private, loopback
	// and link-local addresses (multi-tenant installs).
	WebhooksDenyPrivate bool
	// EngineLimits are the engine-wide limits (-engine-* flags); zero
	// fields keep the engine's defaults.
	EngineLimits engine.Limits
	// NATS lists the NATS server URLs of a cluster (-nats). Empty: a single
	// node with the memory broker and SQLite history.
	NATS []string
	// NATSReplicas is each app stream's JetStream replica count.
	NATSReplicas int
	// Node names this node in logs, /metrics and /healthz (default: host
	// name and port, when NATS is set).
	Node string
	// EngineOnly serves only /v1/ws, /v1/api/, /healthz and /metrics.
	EngineOnly bool
	// StatusProbeURLs are engine nodes' base URLs the status prober probes
	// one by one (-status-probe-urls), shown as a row per node. Empty: only
	// this node's own engine is probed.
	StatusProbeURLs []string
	// UsageInterval is how often the apps' usage counters are written to
	// SQLite (default a minute; tests make it short).
	UsageInterval time.Duration
	// PublicURL is the portal's address as readers reach it, for the links
	// in emails; empty means the listening address.
	PublicURL string
	// SMTP delivers the mail outbox; an empty SMTPAddr keeps messages in
	// the outbox (admins read them at /{lang}/admin/outbox).
	SMTPAddr, SMTPUser, SMTPPassword, SMTPFrom string
	SMTPStartTLS                               bool
	// SMTPTLS is the STARTTLS configuration; nil (always, outside tests)
	// verifies the server against the system roots.
	SMTPTLS *tls.Config
	// NotifyInterval is how often forum notifications are mailed (0: 5 s;
	// tests shorten it).
	NotifyInterval time.Duration
}

// parseFlags reads the global flags, whose defaults come from SWITCHBOARD_*
// environment variables, and returns the command and its arguments. Global
// flags may also follow the command ("apps create NAME -data DIR").
func parseFlags(args []string, stderr io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var proxies, origins, level, natsURLs, probeURLs string
	fs.StringVar(&cfg.Addr, "addr", env("SWITCHBOARD_ADDR", "127.0.0.1:8080"), "address to listen on (env SWITCHBOARD_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("SWITCHBOARD_DATA", "./data"), "directory for the SQLite database (env SWITCHBOARD_DATA)")
	fs.BoolVar(&cfg.Dev, "dev", envBool("SWITCHBOARD_DEV"), "read docs, templates and static files from disk (env SWITCHBOARD_DEV)")
	fs.StringVar(&cfg.EditURL, "edit-url", env("SWITCHBOARD_EDIT_URL", ""), "base URL of \"Edit this page\" links (env SWITCHBOARD_EDIT_URL)")
	fs.StringVar(&proxies, "trusted-proxies", env("SWITCHBOARD_TRUSTED_PROXIES", ""), "comma-separated proxy IPs or CIDRs whose X-Forwarded-For is trusted (env SWITCHBOARD_TRUSTED_PROXIES)")
	fs.StringVar(&origins, "allowed-origins", env("SWITCHBOARD_ALLOWED_ORIGINS", "*"), "comma-separated origin host patterns allowed to open engine WebSockets, e.g. app.example.com,*.example.com (env SWITCHBOARD_ALLOWED_ORIGINS)")
	fs.StringVar(&cfg.PprofAddr, "pprof", env("SWITCHBOARD_PPROF", ""), "debug: serve net/http/pprof on this address, e.g. 127.0.0.1:6061 (env SWITCHBOARD_PPROF)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool("SWITCHBOARD_SECURE_COOKIES"), "mark cookies Secure and send HSTS, for TLS terminated by a proxy (env SWITCHBOARD_SECURE_COOKIES)")
	fs.BoolVar(&cfg.WebhooksDenyPrivate, "webhooks-deny-private", envBool("SWITCHBOARD_WEBHOOKS_DENY_PRIVATE"), "refuse webhook endpoints on private, loopback and link-local addresses (env SWITCHBOARD_WEBHOOKS_DENY_PRIVATE)")
	seed := fs.Bool("seed", envBoolDefault("SWITCHBOARD_SEED", true), "seed an empty forum with demo users, topics and answers (env SWITCHBOARD_SEED)")
	fs.StringVar(&cfg.PublicURL, "public-url", env("SWITCHBOARD_PUBLIC_URL", ""), "the portal's public base URL, for links in emails, e.g. https://dev.example.com (env SWITCHBOARD_PUBLIC_URL; default the listening address)")
	fs.StringVar(&cfg.SMTPAddr, "smtp-addr", env("SWITCHBOARD_SMTP_ADDR", ""), "SMTP server host:port for outgoing mail; empty keeps mail in the outbox (env SWITCHBOARD_SMTP_ADDR)")
	fs.StringVar(&cfg.SMTPUser, "smtp-user", env("SWITCHBOARD_SMTP_USER", ""), "SMTP AUTH user; the password is read from env SWITCHBOARD_SMTP_PASSWORD (env SWITCHBOARD_SMTP_USER)")
	fs.StringVar(&cfg.SMTPFrom, "smtp-from", env("SWITCHBOARD_SMTP_FROM", "Switchboard <noreply@localhost>"), "From address of outgoing mail (env SWITCHBOARD_SMTP_FROM)")
	fs.BoolVar(&cfg.SMTPStartTLS, "smtp-starttls", envBoolDefault("SWITCHBOARD_SMTP_STARTTLS", true), "require STARTTLS; false uses it only when the server offers it (env SWITCHBOARD_SMTP_STARTTLS)")
	fs.StringVar(&natsURLs, "nats", env("SWITCHBOARD_NATS", ""), "comma-separated NATS server URLs (JetStream enabled): run as a cluster node, channels and history in JetStream (env SWITCHBOARD_NATS)")
	fs.IntVar(&cfg.NATSReplicas, "nats-replicas", envInt("SWITCHBOARD_NATS_REPLICAS", 1), "JetStream replicas of each app's stream: 1 on one NATS server, 3 on a 3-server cluster (env SWITCHBOARD_NATS_REPLICAS)")
	fs.StringVar(&cfg.Node, "node", env("SWITCHBOARD_NODE", ""), "this node's name in logs, /metrics and /healthz (default: host name and port) (env SWITCHBOARD_NODE)")
	fs.BoolVar(&cfg.EngineOnly, "engine-only", envBool("SWITCHBOARD_ENGINE_ONLY"), "serve only the engine: /v1/ws, /v1/api/, /healthz and /metrics (env SWITCHBOARD_ENGINE_ONLY)")
	fs.StringVar(&probeURLs, "status-probe-urls", env("SWITCHBOARD_STATUS_PROBE_URLS", ""), "comma-separated base URLs of engine nodes the status page probes one by one, e.g. http://10.0.0.2:8080,http://10.0.0.3:8080: a row per node (env SWITCHBOARD_STATUS_PROBE_URLS)")
	fs.StringVar(&level, "log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env SWITCHBOARD_LOG_LEVEL)")
	if err := limitFlags(fs, &cfg.EngineLimits); err != nil {
		return cfg, nil, err
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: switchboard [flags] [command] [flags]\n\nCommands:\n  (none)        serve the portal\n")
		for _, c := range commands() {
			fmt.Fprintf(stderr, "  %-13s %s\n", c.usage[0], c.usage[1])
		}
		fmt.Fprintf(stderr, "\nFlags (also after the serve, admin and apps commands):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	rest := fs.Args()
	if len(rest) > 0 && acceptsGlobalsAfter(rest[0]) {
		after, err := globalFlagsAfterCommand(fs, rest[1:])
		if err != nil {
			return cfg, nil, err
		}
		rest = append(rest[:1:1], after...)
	}
	cfg.TrustedProxies = splitList(proxies)
	cfg.NATS = splitList(natsURLs)
	cfg.StatusProbeURLs = splitList(probeURLs)
	if len(cfg.NATS) > 0 && cfg.Node == "" {
		cfg.Node = defaultNode(cfg.Addr)
	}
	cfg.AllowedOrigins = splitList(origins)
	cfg.SkipDemo = !*seed
	cfg.SMTPPassword = os.Getenv("SWITCHBOARD_SMTP_PASSWORD") // never a flag: it would show in ps
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, nil, fmt.Errorf("-log-level: %w", err)
	}
	return cfg, rest, nil
}

func acceptsGlobalsAfter(name string) bool {
	for _, c := range commands() {
		if c.name == name {
			return c.globalsAfter
		}
	}
	return false
}

// globalFlagsAfterCommand sets the global flags among a command's
// arguments ("-data DIR", "-data=DIR", "--dev") and returns the other
// arguments. No command has a flag of the same name as a global one.
func globalFlagsAfterCommand(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i:]...), nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if !strings.HasPrefix(a, "-") || f == nil {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			} else {
				return nil, fmt.Errorf("flag needs an argument: -%s", name)
			}
		}
		if err := fs.Set(name, value); err != nil {
			return nil, fmt.Errorf("invalid value %q for flag -%s: %w", value, name, err)
		}
	}
	return rest, nil
}

// limitFlags adds a flag for every field of engine.Limits:
// -engine-<field in kebab case>, with the environment variable
// SWITCHBOARD_ENGINE_<FIELD> as its default and the field's help tag as
// its usage. 0 keeps the engine's default.
func limitFlags(fs *flag.FlagSet, l *engine.Limits) error {
	defaults := reflect.ValueOf(engine.DefaultLimits())
	v := reflect.ValueOf(l).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name := "engine-" + kebab(f.Name)
		key := "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		// The backquoted word is the value's name in -help.
		kind := map[reflect.Kind]string{reflect.Int: "an `integer`", reflect.Float64: "a `number`", reflect.Int64: "a `duration`"}[f.Type.Kind()]
		usage := fmt.Sprintf("%s (%s, default %v; env %s)", f.Tag.Get("help"), kind, defaults.Field(i).Interface(), key)
		switch p := v.Field(i).Addr().Interface().(type) {
		case *int:
			fs.Var(nonNegative[int]{p, strconv.Atoi}, name, usage)
		case *float64:
			fs.Var(nonNegative[float64]{p, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }}, name, usage)
		case *time.Duration:
			fs.Var(nonNegative[time.Duration]{p, time.ParseDuration}, name, usage)
		default:
			return fmt.Errorf("engine.Limits.%s: no flag for type %s", f.Name, f.Type)
		}
		if s := os.Getenv(key); s != "" {
			if err := fs.Set(name, s); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return nil
}

// nonNegative is a flag.Value for a limit: a number that is not negative.
type nonNegative[T int | float64 | time.Duration] struct {
	p     *T
	parse func(string) (T, error)
}

func (n nonNegative[T]) String() string {
	if n.p == nil || *n.p == 0 {
		return ""
	}
	return fmt.Sprint(*n.p)
}

func (n nonNegative[T]) Set(s string) error {
	v, err := n.parse(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return errors.New("must not be negative")
	}
	*n.p = v
	return nil
}

// kebab turns a Go field name into a flag name: MaxConnsPerApp becomes
// max-conns-per-app, HistoryTTL history-ttl, APIRate api-rate.
func kebab(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, rest, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cmd := ""
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	if cmd == "" {
		cmd = "serve"
	}
	for _, c := range commands() {
		if c.name == cmd {
			return c.run(ctx, cfg, rest, stdin, stdout, stderr)
		}
	}
	return fmt.Errorf("unknown command %q (see -help)", cmd)
}

// command is a subcommand of the binary.
type command struct {
	name  string
	usage [2]string // the synopsis and what it does, for -help
	run   func(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error
	// globalsAfter: global flags may follow the command ("apps create NAME
	// -data DIR"). Off for commands whose own flags carry global flags as
	// values (bench -server-flags "-dev").
	globalsAfter bool
}

// commands lists every subcommand, in the order -help shows them; each is
// implemented in its cmd_*.go file (i18n-status in i18n_status.go).
func commands() []command {
	return []command{
		{name: "serve", usage: [2]string{"serve", "serve the portal (the same as no command)"},
			run: func(ctx context.Context, cfg Config, _ []string, _ io.Reader, stdout, stderr io.Writer) error {
				return serve(ctx, cfg, stdout, stderr)
			}, globalsAfter: true},
		{name: "i18n-status", usage: [2]string{"i18n-status", "list missing and outdated translations"},
			run: func(_ context.Context, _ Config, args []string, _ io.Reader, stdout, _ io.Writer) error {
				return i18nStatus(args, stdout)
			}},
		{name: "admin", usage: [2]string{"admin", "create a forum admin (admin create --email EMAIL [--name NAME] [--password-stdin] [--promote]); give a team a support plan (admin plan -team NAME -plan ID)"},
			run: func(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, _ io.Writer) error {
				return runAdmin(ctx, args, cfg.DataDir, stdin, stdout)
			}, globalsAfter: true},
		{name: "apps", usage: [2]string{"apps", "engine apps, their credentials, API keys and limits (apps -help lists the subcommands)"},
			run: func(ctx context.Context, cfg Config, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				if len(args) > 0 && args[0] == "webhook" { // cmd_webhooks.go
					return runWebhooks(ctx, cfg, args[1:], stdout, stderr)
				}
				return runApps(ctx, args, cfg, stdout, stderr)
			}, globalsAfter: true},
		{name: "bench", usage: [2]string{"bench", "load-test the messaging engine (bench -help for flags)"}, run: runBench},
	}
}

func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	m := NewMain(cfg, log)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	fmt.Fprintf(stdout, "Switchboard is running at %s/ (press Ctrl+C to stop)\n", m.URL())
	<-ctx.Done()
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return m.Shutdown(shutdownCtx)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// env returns the environment variable key, or def when it is unset or
// empty (an empty SWITCHBOARD_ADDR must not mean "listen nowhere").
func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

// defaultNode is the host name and the port of addr, e.g. "web-3:8080".
func defaultNode(addr string) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "node"
	}
	if _, port, err := net.SplitHostPort(addr); err == nil {
		return host + ":" + port
	}
	return host
}

func envBool(key string) bool {
	b, _ := strconv.ParseBool(os.Getenv(key))
	return b
}

// envBoolDefault reads a boolean environment variable, with def when it is
// unset or not a boolean.
func envBoolDefault(key string, def bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(key)); err == nil {
		return b
	}
	return def
}
