package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// nodeServer is the script TestNodeReceiver runs: the docs' receiver.mjs
// as a real server that prints every verified event as a JSON line.
const nodeServer = `
const [modURL, secret, port] = process.argv.slice(1);
const { webhookServer } = await import(modURL);
webhookServer(secret, (ev) => console.log(JSON.stringify(ev))).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`

// TestNodeReceiver runs the docs' Node receiver as a real HTTP server: a
// real webhooks.Service delivers to it, and it refuses a forged and a
// replayed request.
func TestNodeReceiver(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is required in CI")
		}
		t.Skip("node is not installed")
	}
	ctx := context.Background()
	s, err := webhooks.New(ctx, webhooks.Config{DB: dbtest.Open(t), MinBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	url := fmt.Sprintf("http://127.0.0.1:%d/hook", port)
	ep, err := s.Add(ctx, webhooks.NewEndpoint{AppID: "app", URL: url, Events: []string{webhooks.TypeConnect}})
	if err != nil {
		t.Fatal(err)
	}
	mod, _ := filepath.Abs("receiver.mjs")
	cmd := exec.Command(node, "--input-type=module", "-e", nodeServer, "file://"+mod, ep.Secret, fmt.Sprint(port))
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("node exited: %s", stderr.String())
			}
			return l
		case <-time.After(20 * time.Second):
			t.Fatalf("no line from node: %s", stderr.String())
		}
		return ""
	}
	if l := next(); l != "listening" {
		t.Fatalf("node printed %q", l)
	}

	s.Enqueue(webhooks.Event{Type: webhooks.TypeConnect, AppID: "app", Time: time.Now(), Data: map[string]string{"user": "alice"}})
	var ev struct {
		ID, Type string
		AppID    string `json:"app_id"`
		Data     map[string]string
	}
	if err := json.Unmarshal([]byte(next()), &ev); err != nil || ev.Type != "connect" || ev.AppID != "app" || ev.Data["user"] != "alice" || !strings.HasPrefix(ev.ID, "evt_") {
		t.Fatalf("node handled %+v (%v)", ev, err)
	}

	body := []byte(`{"id":"evt_x","type":"connect","app_id":"app","time":0,"data":{}}`)
	for _, tt := range []struct {
		name, sig string
		want      int
	}{
		{"replayed 6 minutes later", webhooks.Sign(ep.Secret, time.Now().Add(-6*time.Minute), body), http.StatusBadRequest},
		{"forged", webhooks.Sign("whsec_guess", time.Now(), body), http.StatusBadRequest},
		{"unsigned", "", http.StatusBadRequest},
		{"signed now", webhooks.Sign(ep.Secret, time.Now(), body), http.StatusNoContent},
	} {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set(webhooks.HeaderSignature, tt.sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: node answered %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	if l := next(); !strings.Contains(l, `"evt_x"`) {
		t.Errorf("after the refused requests node handled %q, want only the signed evt_x", l)
	}
}
