package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ServerConfig says how to start a throwaway server.
type ServerConfig struct {
	// Exe is the switchboard binary (usually os.Executable()).
	Exe string
	// Args are extra global flags for the server (and its "apps create"),
	// placed after the defaults "-data DIR -log-level warn -dev=false", so
	// they can override the log level.
	Args []string
	// Log receives the server's log lines, prefixed with "server: "; nil
	// discards them.
	Log io.Writer
	// StartTimeout bounds app creation plus start-up (default 60 s).
	StartTimeout time.Duration
	// Webhook, when set, is given to the bench app with "apps webhook add"
	// before the server starts, so the run measures fan-out with webhooks
	// configured; Server.WebhookSecret is its signing secret.
	Webhook *Webhook
}

// Webhook is a webhook endpoint for the bench app.
type Webhook struct {
	URL      string
	Events   []string
	Channels string // pattern of publish events, e.g. "*"
}

// Server is a switchboard server running as a child process on a free
// loopback port with a temporary data directory. Close stops it and
// removes the directory.
type Server struct {
	URL     string // http://127.0.0.1:port
	AppID   string
	AppCert string
	PID     int
	DataDir string // removed by Close
	// WebhookSecret signs the deliveries to ServerConfig.Webhook.
	WebhookSecret string

	cmd       *exec.Cmd
	exited    chan struct{}
	waitErr   error
	closeOnce sync.Once
	closeErr  error
}

// StartServer creates an app with "Exe -data DIR apps create bench -json",
// starts "Exe -addr 127.0.0.1:PORT -data DIR", and waits until /healthz
// answers 200.
func StartServer(ctx context.Context, c ServerConfig) (_ *Server, err error) {
	if c.StartTimeout <= 0 {
		c.StartTimeout = 60 * time.Second
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	ctx, cancel := context.WithTimeout(ctx, c.StartTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "switchboard-bench-*")
	if err != nil {
		return nil, fmt.Errorf("bench: server data directory: %w", err)
	}
	s := &Server{DataDir: dir, exited: make(chan struct{})}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	global := append([]string{"-data", dir, "-log-level", "warn", "-dev=false"}, c.Args...)
	if err := s.createApp(ctx, c.Exe, global); err != nil {
		return nil, err
	}
	if c.Webhook != nil {
		if err := s.addWebhook(ctx, c.Exe, global, *c.Webhook); err != nil {
			return nil, err
		}
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + addr
	s.cmd = exec.Command(c.Exe, append(global, "-addr", addr)...)
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = &prefixWriter{w: c.Log, prefix: "server: "}
	s.cmd.SysProcAttr = childAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	s.PID = s.cmd.Process.Pid
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// createApp runs the binary's "apps create" command against the fresh
// data directory (the server is not running yet, so nothing else holds
// the database).
func (s *Server) createApp(ctx context.Context, exe string, global []string) error {
	cmd := exec.CommandContext(ctx, exe, append(global, "apps", "create", "bench", "-json")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("bench: %s apps create bench -json: %w: %s", exe, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var app struct {
		AppID   string `json:"app_id"`
		AppCert string `json:"app_cert"`
	}
	if err := json.Unmarshal(out, &app); err != nil || app.AppID == "" || app.AppCert == "" {
		return fmt.Errorf("bench: apps create printed %q, want JSON with app_id and app_cert", bytes.TrimSpace(out))
	}
	s.AppID, s.AppCert = app.AppID, app.AppCert
	return nil
}

// addWebhook runs "apps webhook add bench ... -json" against the data
// directory, as an operator would.
func (s *Server) addWebhook(ctx context.Context, exe string, global []string, w Webhook) error {
	args := append(global, "apps", "webhook", "add", "bench", "-url", w.URL, "-events", strings.Join(w.Events, ","), "-json")
	if w.Channels != "" {
		args = append(args, "-channels", w.Channels)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("bench: %s apps webhook add: %w: %s", exe, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var ep struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(out, &ep); err != nil || ep.Secret == "" {
		return fmt.Errorf("bench: apps webhook add printed %q, want JSON with secret", bytes.TrimSpace(out))
	}
	s.WebhookSecret = ep.Secret
	return nil
}

// freePort picks a free loopback port. Another process could take it
// before the server listens; the server then fails to start with a clear
// error instead of serving the wrong thing.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

func (s *Server) waitHealthy(ctx context.Context) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/healthz", nil)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-tick.C:
		case <-s.exited:
			return fmt.Errorf("bench: server exited during start-up: %v (its log is above)", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("bench: server not healthy at %s/healthz: %w", s.URL, ctx.Err())
		}
	}
}

// Close stops the server (SIGTERM, so that it shuts down cleanly; SIGKILL
// after 10 s) and removes its data directory. It is safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			select {
			case <-s.exited:
			default:
				s.cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-s.exited:
				case <-time.After(10 * time.Second):
					s.cmd.Process.Kill()
					<-s.exited
				}
			}
		}
		if err := os.RemoveAll(s.DataDir); err != nil {
			s.closeErr = fmt.Errorf("bench: remove server data: %w", err)
		}
	})
	return s.closeErr
}

// Exited is closed when the server process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// prefixWriter writes each line with a prefix.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i]); err != nil {
			return len(b), nil // the server must not fail because its log cannot be shown
		}
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}
