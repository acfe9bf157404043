package jssdk_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
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
// using Node: in an empty directory holding the docs' app.mjs, it runs the
// docs' commands (testdata/newproject/newproject.sh: npm init, npm pack of
// this checkout's package standing in for the registry, npm install of the
// tarball, node) against a real engine, and checks that the program ends
// by printing want.txt, that the tarball installed only the package's
// files, and that the engine recorded the SDK's name and version.
func TestNewNodeProject(t *testing.T) {
	node, flags := nodeForSDK(t)
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("npm is required in CI")
		}
		t.Skip("npm is not installed")
	}
	nodeOptions := strings.TrimSpace(os.Getenv("NODE_OPTIONS") + " " + strings.Join(flags, " ")) // as the quick-start says for Node 20.10-21
	script, err := filepath.Abs("testdata/newproject/newproject.sh")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Version string }
	if b, err := os.ReadFile("package.json"); err != nil || json.Unmarshal(b, &pkg) != nil {
		t.Fatalf("package.json: %v", err)
	}
	tarball := "switchboard-rtm-js-" + pkg.Version + ".tgz"
	if sh, _ := os.ReadFile(script); !bytes.Contains(sh, []byte("npm install ./"+tarball+"\n")) {
		t.Fatalf("newproject.sh does not install %s, the tarball npm pack makes of version %s", tarball, pkg.Version)
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/newproject/app.mjs")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.mjs"), src, 0o644); err != nil {
		t.Fatal(err)
	}

	var sdks enginetest.SDKLog
	base, app := enginetest.ServeConfig(t, "node", engine.Config{OnConnect: sdks.OnConnect})

	cmd := exec.Command("sh", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_OPTIONS="+nodeOptions,
		"PATH="+filepath.Dir(npm)+string(os.PathListSeparator)+filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SWITCHBOARD="+checkout, "WS_URL="+enginetest.WebSocketURL(base), "TOKEN="+enginetest.Token(t, app, "alice"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh newproject.sh: %v\n%s%s", err, out, stderr.Bytes())
	}
	want, err := os.ReadFile("testdata/newproject/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(out, want) {
		t.Errorf("the quick-start printed\n%s\nwant it to end with want.txt:\n%s", out, want)
	}
	installed, err := os.ReadDir(filepath.Join(dir, "node_modules", "@switchboard-rtm", "js"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range installed {
		names = append(names, f.Name())
	}
	if want := []string{"package.json", "switchboard.d.ts", "switchboard.js"}; !slices.Equal(names, want) {
		t.Errorf("the tarball installed %q, want %q", names, want)
	}
	if want := []string{"switchboard-js@" + pkg.Version}; !slices.Equal(sdks.Seen(), want) {
		t.Errorf("the engine recorded SDKs %q, want %q", sdks.Seen(), want)
	}
}
