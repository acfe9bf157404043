package gosdktest_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// TestNewProject does what the Go quick-start tells a customer: in an
// empty directory holding the docs' main.go, it runs the docs' commands
// (testdata/newproject/newproject.sh: go mod init, a replace directive to
// this checkout standing in for the public repository, go get, go mod
// tidy, go run) against a real engine, and checks that the program prints
// want.txt, that the engine recorded the SDK's name and version, and that
// the new module needs the SDK and its WebSocket library only. It needs no
// network when the module cache holds github.com/coder/websocket (GOPROXY
// is the environment's).
func TestNewProject(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command in a fresh module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/newproject/newproject.sh")
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := os.ReadFile(script)
	if !bytes.Contains(sh, []byte("engine/client@v"+client.Version+"\n")) {
		t.Fatalf("newproject.sh does not go get v%s, the SDK's version", client.Version)
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/newproject/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var sdks []string
	ctx := context.Background()
	e, err := engine.New(ctx, engine.Config{DB: dbtest.Open(t), OnConnect: func(ev engine.ConnectEvent) {
		mu.Lock()
		defer mu.Unlock()
		sdks = append(sdks, ev.SDK+"@"+ev.SDKVersion)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(ctx) })
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	app, err := e.CreateApp(ctx, "newproject")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod",
		"PATH="+filepath.Dir(goBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SWITCHBOARD="+checkout, "WS_URL=ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", "TOKEN="+tok)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out)
	}
	out := run("sh", script)
	want, err := os.ReadFile("testdata/newproject/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("the quick-start printed %q, want %q (want.txt)", out, want)
	}
	mu.Lock()
	if got := []string{client.SDKName + "@" + client.Version}; !slices.Equal(sdks, got) {
		t.Errorf("the engine recorded SDKs %q, want %q", sdks, got)
	}
	mu.Unlock()
	mods := strings.Fields(run(goBin, "list", "-m", "-f", "{{.Path}}", "all"))
	if want := []string{"example.com/chat", "github.com/coder/websocket", "github.com/switchboard-rtm/switchboard/engine/client"}; !slices.Equal(mods, want) {
		t.Errorf("the new module needs %q, want only %q", mods, want)
	}
}
