package gosdktest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// TestNewProject does what the Go quick-start tells a customer: a fresh
// module, the SDK added with go mod edit and go get (a replace directive
// to this checkout stands in for the public repository), the docs'
// program built and run against a real engine. The module then needs the
// SDK and its WebSocket library only.
func TestNewProject(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command in a fresh module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := filepath.Abs("../client")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "SDK="+sdk)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// The quick-start's commands, word for word ($SDK is the checkout's engine/client).
	for _, line := range []string{
		"go mod init example.com/chat",
		"go mod edit -replace github.com/switchboard-rtm/switchboard/engine/client=$SDK",
		"go get github.com/switchboard-rtm/switchboard/engine/client@v" + client.Version,
	} {
		run("sh", "-c", strings.Replace(line, "go ", goBin+" ", 1))
	}
	src, err := os.ReadFile("testdata/newproject/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	run(goBin, "mod", "tidy")
	mods := strings.Fields(run(goBin, "list", "-m", "-f", "{{.Path}}", "all"))
	if want := []string{"example.com/chat", "github.com/coder/websocket", "github.com/switchboard-rtm/switchboard/engine/client"}; !slices.Equal(mods, want) {
		t.Errorf("the new module needs %q, want only %q", mods, want)
	}
	run(goBin, "build", "-o", "chat", ".")

	te := newTestEngine(engine.Limits{})
	defer te.close()
	tok, err := engine.MintToken(te.app.ID, te.app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := run(filepath.Join(dir, "chat"), te.url, tok)
	if want := "connected as alice\nnews #1: {\"text\":\"hello from Go\"}\n"; out != want {
		t.Errorf("the program printed %q, want %q", out, want)
	}
}
