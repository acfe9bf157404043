package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/webhooks"
	"github.com/switchboard-rtm/switchboard/webhooks/examples"
)

// hookReceiver is a real HTTP endpoint that records every delivery and
// answers with status(n) for the n-th request it gets.
type hookReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	status func(n int) int
	delay  time.Duration
}

type hookRequest struct {
	ID, Type, Signature string
	Data                map[string]any
	Body                []byte
	Status              int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{status: func(int) int { return http.StatusOK }}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p struct {
			ID   string         `json:"id"`
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		json.Unmarshal(body, &p)
		h.mu.Lock()
		st, delay := h.status(len(h.got)+1), h.delay
		h.got = append(h.got, hookRequest{ID: p.ID, Type: p.Type, Data: p.Data, Body: body, Signature: r.Header.Get(webhooks.HeaderSignature), Status: st})
		h.mu.Unlock()
		time.Sleep(delay) // a slow backend
		w.WriteHeader(st)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

func (h *hookReceiver) set(status func(int) int, delay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.delay = status, delay
}

// acceptedIDs are the event IDs the receiver answered 2xx, in first-answer order.
func (h *hookReceiver) acceptedIDs() []string {
	var ids []string
	for _, r := range h.requests() {
		if r.Status/100 == 2 && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, nil, &stdout, &stderr)
	return stdout.String(), err
}

func TestAppsWebhookCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := runCLI(t, "-data", dir, "apps", "create", "shop", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var app struct {
		AppID string `json:"app_id"`
	}
	json.Unmarshal([]byte(out), &app)
	rc := newHookReceiver(t)

	out, err = runCLI(t, "-data", dir, "apps", "webhook", "add", "shop", "-url", rc.srv.URL, "-events", "connect,publish", "-channels", "orders:*", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var ep struct {
		ID, Secret, URL, Channels string
		AppID                     string `json:"app_id"`
		Events                    []string
	}
	if err := json.Unmarshal([]byte(out), &ep); err != nil || !strings.HasPrefix(ep.ID, "wh_") || !strings.HasPrefix(ep.Secret, "whsec_") ||
		ep.URL != rc.srv.URL || ep.AppID != app.AppID || !slices.Equal(ep.Events, []string{"connect", "publish"}) || ep.Channels != "orders:*" {
		t.Fatalf("add -json printed %q (%v)", out, err)
	}
	out, err = runCLI(t, "-data", dir, "apps", "webhook", "add", app.AppID, "-url", rc.srv.URL+"/b", "-events", "peer.stored")
	if err != nil || !regexp.MustCompile(`(?m)^Endpoint ID: +wh_\w+\nSigning secret: +whsec_\w+$`).MatchString(out) {
		t.Fatalf("add printed %q, %v", out, err)
	}
	out, err = runCLI(t, "-data", dir, "apps", "webhook", "list", "shop")
	if err != nil || !strings.Contains(out, ep.ID) || !strings.Contains(out, "connect,publish (publish on orders:*)") || !strings.Contains(out, "peer.stored") {
		t.Errorf("list printed %q, %v", out, err)
	}
	out, err = runCLI(t, "-data", dir, "apps", "webhook", "test", "shop", ep.ID)
	if err != nil || !strings.Contains(out, "HTTP 200") {
		t.Errorf("test printed %q, %v", out, err)
	}
	if r := rc.requests(); len(r) != 1 || r[0].Type != webhooks.TypeTest || examples.Verify(ep.Secret, r[0].Signature, r[0].Body, time.Now()) != nil {
		t.Errorf("receiver got %+v, want one signed webhook.test", r)
	}
	rc.set(func(int) int { return http.StatusBadGateway }, 0)
	if out, err := runCLI(t, "-data", dir, "apps", "webhook", "test", "shop", ep.ID, "-json"); err == nil || !strings.Contains(out, `"status":502`) {
		t.Errorf("failing test: %q, %v; want status 502 and an error", out, err)
	}
	if _, err := runCLI(t, "-data", dir, "apps", "webhook", "remove", "shop", ep.ID); err != nil {
		t.Fatal(err)
	}
	out, _ = runCLI(t, "-data", dir, "apps", "webhook", "list", "shop", "-json")
	var left []map[string]any
	if json.Unmarshal([]byte(out), &left); len(left) != 1 || left[0]["id"] == ep.ID {
		t.Errorf("after remove, list -json: %s", out)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"apps", "webhook", "add", "nope", "-url", "http://x/", "-events", "connect"}, `no app with ID or name "nope"`},
		{[]string{"apps", "webhook", "add", "shop", "-url", "http://x/"}, "add needs -url and -events"},
		{[]string{"apps", "webhook", "add", "shop", "-url", "mailto:a@b", "-events", "connect"}, "http:// or https://"},
		{[]string{"apps", "webhook", "add", "shop", "-url", "http://x/", "-events", "connect,pubish"}, `unknown event "pubish"`},
		{[]string{"apps", "webhook", "add", "shop", "-url", "http://x/", "-events", "publish"}, "channel pattern"},
		{[]string{"-webhooks-deny-private", "apps", "webhook", "add", "shop", "-url", "http://127.0.0.1:8/", "-events", "connect"}, "private and loopback addresses are not allowed"},
		{[]string{"apps", "webhook", "remove", "shop", "wh_missing"}, "not found"},
		{[]string{"apps", "webhook", "frob", "shop"}, "unknown apps webhook command"},
		{[]string{"apps", "webhook", "list"}, "usage: apps webhook add"},
	} {
		args := append([]string{"-data", dir}, tt.args...)
		if _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// serverProcess is the real binary serving on a loopback port.
type serverProcess struct {
	cmd *exec.Cmd
	url string
}

func startServerProcess(t *testing.T, bin, dir string, extra ...string) *serverProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-data", dir, "-seed=false", "-log-level", "error"}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`running at (http://\S+)/`).FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return &serverProcess{cmd: cmd, url: u}
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", stderr.String())
		return nil
	}
}

// childApp is an app the child server's database holds.
type childApp struct {
	ID   string `json:"app_id"`
	Cert string `json:"app_cert"`
}

// buildWithApp builds the binary and creates the app name in a fresh
// data directory with it, for tests that run (and kill) child servers.
func buildWithApp(t *testing.T, name string) (bin, dir string, app childApp) {
	t.Helper()
	bin = filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir = t.TempDir()
	out, err := exec.Command(bin, "-data", dir, "apps", "create", name, "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &app); err != nil {
		t.Fatal(err)
	}
	return bin, dir, app
}

// TestWebhooksSurviveKill9 is the durability proof: sessions make
// events while the receiver fails and then answers slowly; the server is
// killed with events pending and started again. Every accepted event is
// delivered, each logical event under one ID only, signed, in order.
func TestWebhooksSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills child servers")
	}
	bin, dir, app := buildWithApp(t, "durable")
	rc := newHookReceiver(t)
	rc.set(func(n int) int {
		if n <= 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}, 30*time.Millisecond)
	types := []string{"connect", "channel.occupied", "subscribe", "presence.join", "unsubscribe", "channel.vacated", "presence.leave", "disconnect"}
	out, err := exec.Command(bin, "-data", dir, "apps", "webhook", "add", app.ID, "-url", rc.srv.URL, "-events", strings.Join(types, ","), "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ep struct{ Secret string }
	json.Unmarshal(out, &ep)

	srv := startServerProcess(t, bin, dir)
	const sessions = 20
	ctx := context.Background()
	for i := range sessions {
		tok, err := engine.MintToken(app.ID, app.Cert, engine.Claims{Subject: fmt.Sprintf("user%02d", i)}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.url, "http")+"/v1/ws", tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Subscribe(ctx, fmt.Sprintf("room%02d", i), func(client.Message) {}); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	want := sessions * len(types)

	// Accepted = in the outbox (pending) or answered 2xx (then deleted).
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	accepted := func() map[string]bool {
		ids := map[string]bool{}
		rows, err := d.QueryContext(ctx, `SELECT event_id FROM webhook_outbox WHERE state = 'pending'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids[id] = true
		}
		rows.Close()
		for _, id := range rc.acceptedIDs() { // after the query: a row deleted since was answered before
			ids[id] = true
		}
		return ids
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(accepted()) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Some delivered (so some are delivered again after the restart, under
	// the same ID), most still pending.
	waitUntil(t, "10 delivered events", 30*time.Second, func() bool { return len(rc.acceptedIDs()) >= 10 })
	srv.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	srv.cmd.Wait()
	before := accepted()
	delivered := len(rc.acceptedIDs())
	if len(before) != want {
		t.Fatalf("%d events accepted before the kill, want %d", len(before), want)
	}
	if delivered == want {
		t.Fatalf("all %d events were delivered before the kill; nothing was pending", want)
	}
	t.Logf("killed with %d of %d accepted events delivered", delivered, want)

	rc.set(func(int) int { return http.StatusOK }, 0)
	startServerProcess(t, bin, dir)
	waitUntil(t, "every accepted event delivered", 60*time.Second, func() bool { return len(rc.acceptedIDs()) >= want })
	ids := rc.acceptedIDs()
	for id := range before {
		if !slices.Contains(ids, id) {
			t.Errorf("accepted event %s never delivered", id)
		}
	}
	if len(ids) != want {
		t.Errorf("%d distinct event IDs delivered, want %d", len(ids), want)
	}
	// One ID per logical event, in order: each session's events in types
	// order, sessions one after another.
	first := map[string]hookRequest{}
	for _, r := range rc.requests() {
		if err := examples.Verify(ep.Secret, r.Signature, r.Body, time.Now()); err != nil {
			t.Errorf("event %s: %v", r.ID, err)
		}
		if prev, ok := first[r.ID]; ok && !bytes.Equal(prev.Body, r.Body) {
			t.Errorf("event %s redelivered with a different body", r.ID)
		}
		if _, ok := first[r.ID]; !ok {
			first[r.ID] = r
		}
	}
	perSession := map[string][]string{}
	var connects []string
	for _, id := range ids {
		r := first[id]
		user, _ := r.Data["user"].(string)
		if ch, ok := r.Data["channel"].(string); ok && user == "" {
			user = "user" + strings.TrimPrefix(ch, "room")
		}
		perSession[user] = append(perSession[user], r.Type)
		if r.Type == "connect" {
			connects = append(connects, user)
		}
	}
	for i := range sessions {
		user := fmt.Sprintf("user%02d", i)
		if got := perSession[user]; !slices.Equal(got, types) {
			t.Errorf("%s's events in delivery order %q, want %q", user, got, types)
		}
		if i < len(connects) && connects[i] != user {
			t.Errorf("connect %d delivered is %s's, want %s's", i, connects[i], user)
		}
	}
}
