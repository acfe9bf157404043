package jssdk_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
)

// newEngine starts a real engine on a fresh SQLite file, with limits
// (zero fields take the defaults); it is shut down when the test ends.
func newEngine(t *testing.T, limits engine.Limits) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	return e
}

// nodeForSDK finds a Node that can run the SDK (22+, or 20.10-21 with the
// --experimental-websocket flag it returns). Without one the test is
// skipped, or fails when CI is set: CI must run the SDK in Node.
func nodeForSDK(t *testing.T) (node string, flags []string) {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed")
	}
	version, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	var major, minor int
	fmt.Sscanf(string(version), "v%d.%d", &major, &minor)
	switch {
	case major >= 22:
	case major == 21 || major == 20 && minor >= 10:
		flags = append(flags, "--experimental-websocket")
	default:
		skip("node %s has no WebSocket; the SDK needs Node 22, or 20.10 with --experimental-websocket", strings.TrimSpace(string(version)))
	}
	return node, flags
}
