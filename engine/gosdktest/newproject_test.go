package gosdktest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
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

	var sdks enginetest.SDKLog
	base, app := enginetest.ServeConfig(t, "newproject", engine.Config{OnConnect: sdks.OnConnect})

	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod",
		"PATH="+filepath.Dir(goBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SWITCHBOARD="+checkout, "WS_URL="+enginetest.WebSocketURL(base), "TOKEN="+enginetest.Token(t, app, "alice"))
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
	if want := []string{client.SDKName + "@" + client.Version}; !slices.Equal(sdks.Seen(), want) {
		t.Errorf("the engine recorded SDKs %q, want %q", sdks.Seen(), want)
	}
	mods := strings.Fields(run(goBin, "list", "-m", "-f", "{{.Path}}", "all"))
	if want := []string{"example.com/chat", "github.com/coder/websocket", "github.com/switchboard-rtm/switchboard/engine/client"}; !slices.Equal(mods, want) {
		t.Errorf("the new module needs %q, want only %q", mods, want)
	}
}
