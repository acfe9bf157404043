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
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
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
}

// parseFlags reads the global flags, whose defaults come from SWITCHBOARD_*
// environment variables, and returns the remaining arguments.
func parseFlags(args []string, stderr io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var proxies, origins, level string
	fs.StringVar(&cfg.Addr, "addr", env("SWITCHBOARD_ADDR", "127.0.0.1:8080"), "address to listen on (env SWITCHBOARD_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("SWITCHBOARD_DATA", "./data"), "directory for the SQLite database (env SWITCHBOARD_DATA)")
	fs.BoolVar(&cfg.Dev, "dev", envBool("SWITCHBOARD_DEV"), "read docs, templates and static files from disk (env SWITCHBOARD_DEV)")
	fs.StringVar(&cfg.EditURL, "edit-url", env("SWITCHBOARD_EDIT_URL", ""), "base URL of \"Edit this page\" links (env SWITCHBOARD_EDIT_URL)")
	fs.StringVar(&proxies, "trusted-proxies", env("SWITCHBOARD_TRUSTED_PROXIES", ""), "comma-separated proxy IPs or CIDRs whose X-Forwarded-For is trusted (env SWITCHBOARD_TRUSTED_PROXIES)")
	fs.StringVar(&origins, "allowed-origins", env("SWITCHBOARD_ALLOWED_ORIGINS", "*"), "comma-separated origin host patterns allowed to open engine WebSockets, e.g. app.example.com,*.example.com (env SWITCHBOARD_ALLOWED_ORIGINS)")
	fs.StringVar(&cfg.PprofAddr, "pprof", env("SWITCHBOARD_PPROF", ""), "debug: serve net/http/pprof on this address, e.g. 127.0.0.1:6061 (env SWITCHBOARD_PPROF)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool("SWITCHBOARD_SECURE_COOKIES"), "mark cookies Secure, for TLS terminated by a proxy (env SWITCHBOARD_SECURE_COOKIES)")
	fs.BoolVar(&cfg.WebhooksDenyPrivate, "webhooks-deny-private", envBool("SWITCHBOARD_WEBHOOKS_DENY_PRIVATE"), "refuse webhook endpoints on private, loopback and link-local addresses (env SWITCHBOARD_WEBHOOKS_DENY_PRIVATE)")
	seed := fs.Bool("seed", envBoolDefault("SWITCHBOARD_SEED", true), "seed an empty forum with demo users, topics and answers (env SWITCHBOARD_SEED)")
	fs.StringVar(&level, "log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env SWITCHBOARD_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: switchboard [flags] [command]\n\nCommands:\n  (none)        serve the portal\n  i18n-status   list missing and outdated translations\n%s\nFlags:\n", extraUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	cfg.TrustedProxies = splitList(proxies)
	cfg.AllowedOrigins = splitList(origins)
	cfg.SkipDemo = !*seed
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, nil, fmt.Errorf("-log-level: %w", err)
	}
	return cfg, fs.Args(), nil
}

// extraUsage lists the commands other files of package main add.
var extraUsage = ""

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, rest, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cmd := ""
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "", "serve":
		return serve(ctx, cfg, stdout, stderr)
	case "i18n-status":
		return i18nStatus(rest, stdout)
	}
	if h, ok := commands[cmd]; ok {
		return h(ctx, cfg, rest, stdin, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q (see -help)", cmd)
}

// commands are the subcommands that other files of package main register.
var commands = map[string]func(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error{}

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
