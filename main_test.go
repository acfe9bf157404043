package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
)

// startTestMain starts the full wiring on 127.0.0.1:0 with a fresh data
// directory, as `go run .` does, and shuts it down when the test ends.
func startTestMain(t testing.TB) *Main { return startTestMainWith(t, Config{}) }

// startTestMainWith is startTestMain with cfg (its Addr is 127.0.0.1:0,
// and its DataDir a fresh one unless set).
func startTestMainWith(t testing.TB, cfg Config) *Main {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
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

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-help"}, nil, &stdout, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -help: %v, want flag.ErrHelp", err)
	}
	wants := []string{"Usage: switchboard", "-addr", "SWITCHBOARD_ADDR", "-data", "-dev"}
	for _, c := range commands() {
		wants = append(wants, "  "+c.usage[0]+" ", c.usage[1])
	}
	for _, want := range wants {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("usage went to stdout: %q", stdout.String())
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-no-such-flag"}, {"no-such-command"}, {"-log-level", "loud"}} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, nil, &stdout, &stderr); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

// The real docs have every translation, up to date: the check CI runs.
func TestI18nStatus(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"i18n-status", "-check"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("i18n-status -check: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "All translations are present") {
		t.Errorf("output %q, want \"All translations are present\"", stdout.String())
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		for _, k := range []string{"SWITCHBOARD_ADDR", "SWITCHBOARD_DATA", "SWITCHBOARD_DEV", "SWITCHBOARD_EDIT_URL",
			"SWITCHBOARD_TRUSTED_PROXIES", "SWITCHBOARD_SECURE_COOKIES", "SWITCHBOARD_LOG_LEVEL", "SWITCHBOARD_ALLOWED_ORIGINS"} {
			t.Setenv(k, "") // restored after the test
			os.Unsetenv(k)
		}
		cfg, rest, err := parseFlags(nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		got := Config{Addr: cfg.Addr, DataDir: cfg.DataDir, Dev: cfg.Dev, EditURL: cfg.EditURL, TrustedProxies: cfg.TrustedProxies,
			SecureCookies: cfg.SecureCookies, LogLevel: cfg.LogLevel, AllowedOrigins: cfg.AllowedOrigins}
		want := Config{Addr: "127.0.0.1:8080", DataDir: "./data", LogLevel: slog.LevelInfo, AllowedOrigins: []string{"*"}}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(rest) != 0 {
			t.Errorf("config %+v rest %q, want %+v", got, rest, want)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv("SWITCHBOARD_ADDR", "0.0.0.0:9090")
		t.Setenv("SWITCHBOARD_DATA", "/var/lib/switchboard")
		t.Setenv("SWITCHBOARD_DEV", "true")
		t.Setenv("SWITCHBOARD_EDIT_URL", "https://example.com/edit/")
		t.Setenv("SWITCHBOARD_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,")
		t.Setenv("SWITCHBOARD_SECURE_COOKIES", "1")
		t.Setenv("SWITCHBOARD_LOG_LEVEL", "debug")
		t.Setenv("SWITCHBOARD_ALLOWED_ORIGINS", "app.example.com, *.example.org")
		cfg, rest, err := parseFlags([]string{"i18n-status"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		// Only the fields these variables set; other areas add their own.
		got := Config{Addr: cfg.Addr, DataDir: cfg.DataDir, Dev: cfg.Dev, EditURL: cfg.EditURL, TrustedProxies: cfg.TrustedProxies,
			SecureCookies: cfg.SecureCookies, LogLevel: cfg.LogLevel, AllowedOrigins: cfg.AllowedOrigins}
		want := Config{Addr: "0.0.0.0:9090", DataDir: "/var/lib/switchboard", Dev: true, EditURL: "https://example.com/edit/",
			TrustedProxies: []string{"10.0.0.1", "192.168.0.0/16"}, SecureCookies: true, LogLevel: slog.LevelDebug,
			AllowedOrigins: []string{"app.example.com", "*.example.org"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("config\n%+v, want\n%+v", got, want)
		}
		if len(rest) != 1 || rest[0] != "i18n-status" {
			t.Errorf("rest %q", rest)
		}
		// A flag beats the environment.
		cfg, _, err = parseFlags([]string{"-addr", "127.0.0.1:1", "-dev=false"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != "127.0.0.1:1" || cfg.Dev {
			t.Errorf("flags did not override the environment: %+v", cfg)
		}
	})
	t.Run("status probe urls", func(t *testing.T) {
		t.Setenv("SWITCHBOARD_STATUS_PROBE_URLS", "")
		os.Unsetenv("SWITCHBOARD_STATUS_PROBE_URLS")
		cfg, _, err := parseFlags(nil, io.Discard)
		if err != nil || cfg.StatusProbeURLs != nil {
			t.Fatalf("default status probe URLs %q (%v), want none", cfg.StatusProbeURLs, err)
		}
		t.Setenv("SWITCHBOARD_STATUS_PROBE_URLS", "http://10.0.0.2:8080, http://10.0.0.3:8080")
		if cfg, _, err = parseFlags(nil, io.Discard); err != nil || fmt.Sprint(cfg.StatusProbeURLs) != "[http://10.0.0.2:8080 http://10.0.0.3:8080]" {
			t.Errorf("status probe URLs from the environment %q (%v)", cfg.StatusProbeURLs, err)
		}
		if cfg, _, err = parseFlags([]string{"-status-probe-urls", "http://a:1"}, io.Discard); err != nil || fmt.Sprint(cfg.StatusProbeURLs) != "[http://a:1]" {
			t.Errorf("-status-probe-urls %q (%v)", cfg.StatusProbeURLs, err)
		}
	})
}

// syncWriter lets a test read what a running command has printed, and
// wait for it to print more.
type syncWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // receives after writes (buffered: one pending signal)
}

func newSyncWriter() *syncWriter { return &syncWriter{written: make(chan struct{}, 1)} }

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer func() {
		select {
		case w.written <- struct{}{}:
		default:
		}
	}()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var runningAt = regexp.MustCompile(`Switchboard is running at (http://127\.0\.0\.1:\d+)/`)

// `go run .` tells the user where to go, serves, and stops on a signal
// (here: the context ending) without an error.
func TestServeUntilSignal(t *testing.T) {
	t.Setenv("SWITCHBOARD_ADDR", "127.0.0.1:0")
	t.Setenv("SWITCHBOARD_DATA", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := newSyncWriter(), newSyncWriter()
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, nil, stdout, stderr) }()
	var base string
	timeout := time.After(20 * time.Second)
	for base == "" {
		select {
		case <-stdout.written:
			if m := runningAt.FindStringSubmatch(stdout.String()); m != nil {
				base = m[1]
			}
		case err := <-done:
			t.Fatalf("run ended early: %v\n%s", err, stderr.String())
		case <-timeout:
			t.Fatalf("never said where it listens; stdout %q stderr %q", stdout.String(), stderr.String())
		}
	}
	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("healthz %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after the signal: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after the signal")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

// A request that is still arriving when shutdown starts is served to the
// end, its write reaches the database, and only then does the database
// close.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := m.URL()

	// A "Was this page helpful?" vote whose body arrives slowly, sent on a
	// raw connection with "Expect: 100-continue": the server answers
	// "100 Continue" when the handler starts reading the body, so the test
	// knows the request is in the handler before shutdown starts.
	tok := strings.Repeat("s", 43)
	form := url.Values{"_csrf": {tok}, "path": {"overview"}, "helpful": {"yes"}}.Encode()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /en/docs/feedback HTTP/1.1\r\nHost: " + strings.TrimPrefix(base, "http://") +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(form)) +
		"\r\nCookie: sb_csrf=" + tok + "\r\nExpect: 100-continue\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	if res, err := http.ReadResponse(br, nil); err != nil || res.StatusCode != http.StatusContinue {
		t.Fatalf("before the body: %v %v, want 100 Continue", res, err)
	}

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- m.Shutdown(ctx)
	}()
	// Wait until shutdown has begun: new connections are refused.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			break
		}
		res.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("new requests were still accepted 10 s after shutdown began")
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was in flight", err)
	default:
	}
	if _, err := io.WriteString(conn, form); err != nil {
		t.Fatalf("finishing the in-flight request: %v", err)
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request failed: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("in-flight vote: status %d, want 303", res.StatusCode)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if m.DB != nil {
		t.Error("database still open after Shutdown")
	}

	// The vote is in the file, and the file opens cleanly.
	d, err := db.Open(context.Background(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var votes int
	if err := d.QueryRow(`SELECT count(*) FROM content_feedback WHERE path = 'overview' AND helpful = 1`).Scan(&votes); err != nil {
		t.Fatal(err)
	}
	if votes != 1 {
		t.Errorf("%d votes stored, want 1", votes)
	}
	var check string
	if err := d.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
}
