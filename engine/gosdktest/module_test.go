package gosdktest_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestSDKModule keeps the Go SDK installable on its own: its module needs
// nothing but its WebSocket library (no web framework, SQLite or browser
// driver), its go.mod is tidy, and its own tests pass. The root module's
// go test ./... does not reach into another module, so this runs them.
func TestSDKModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on the SDK module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	gocmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, append([]string{"-C", "../client"}, args...)...)
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	mods := strings.Fields(gocmd("list", "-m", "-f", "{{.Path}}", "all"))
	if want := []string{"github.com/switchboard-rtm/switchboard/engine/client", "github.com/coder/websocket"}; !slices.Equal(mods, want) {
		t.Errorf("the SDK module's build list is %q, want only %q", mods, want)
	}
	if out := gocmd("mod", "tidy", "-diff"); out != "" {
		t.Errorf("engine/client/go.mod is not tidy:\n%s", out)
	}
	gocmd("vet", "./...")
	args := []string{"test", "-count=1"}
	if raceEnabled {
		args = append(args, "-race")
	}
	gocmd(append(args, "./...")...)
}
