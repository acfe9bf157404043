package jssdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
)

// TestPackageJSON: the npm package points at files that exist, declares
// its types, and has the version the module sends in connect.
func TestPackageJSON(t *testing.T) {
	var pkg struct {
		Name, Version, Type, Types string
		Exports                    map[string]any
		Files                      []string
	}
	b, err := os.ReadFile("package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile("switchboard.js")
	m := regexp.MustCompile(`export const VERSION = '([^']+)'`).FindSubmatch(js)
	if m == nil || string(m[1]) != pkg.Version {
		t.Errorf("package.json version %q, switchboard.js VERSION %q", pkg.Version, m)
	}
	root, _ := pkg.Exports["."].(map[string]any)
	if pkg.Type != "module" || pkg.Types != "./switchboard.d.ts" || root["types"] != "./switchboard.d.ts" || root["default"] != "./switchboard.js" {
		t.Errorf("package.json type %q types %q exports %v", pkg.Type, pkg.Types, pkg.Exports)
	}
	for _, f := range pkg.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("package.json lists %s: %v", f, err)
		}
	}
}

// TestNewNodeProject does what the JavaScript quick-start tells a customer
// using Node: a fresh npm project, the SDK installed from a local path
// (standing in for the registry), and the docs' program run against a
// real engine, which records the SDK's name and version.
func TestNewNodeProject(t *testing.T) {
	node, err := exec.LookPath("node")
	npm, err2 := exec.LookPath("npm")
	if err != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node and npm are required in CI")
		}
		t.Skip("node or npm is not installed")
	}
	version, _ := exec.Command(node, "--version").Output()
	var major int
	fmt.Sscanf(string(version), "v%d", &major)
	var flags []string
	if major < 22 {
		flags = append(flags, "--experimental-websocket") // Node 20.10-21
	}
	sdk, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(npm, "init", "-y")
	run(npm, "pkg", "set", "type=module")
	run(npm, "install", "--no-audit", "--no-fund", sdk)
	src, err := os.ReadFile("testdata/newproject/app.mjs")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.mjs"), src, 0o644); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var sdks []string
	cfg := engine.Config{DB: dbtest.Open(t), OnConnect: func(ev engine.ConnectEvent) {
		mu.Lock()
		defer mu.Unlock()
		sdks = append(sdks, ev.SDK+"@"+ev.SDKVersion)
	}}
	ctx := context.Background()
	e, err := engine.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(ctx) })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	app, err := e.CreateApp(ctx, "node")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := run(node, append(flags, "app.mjs", "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", tok)...)
	if want := "connected as alice\nnews #1: {\"text\":\"hello from Node\"}\n"; out != want {
		t.Errorf("node printed %q, want %q", out, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sdks) != 1 || sdks[0] != "switchboard-js@0.2.0" {
		t.Errorf("the engine recorded SDKs %q, want switchboard-js@0.2.0", sdks)
	}
}
