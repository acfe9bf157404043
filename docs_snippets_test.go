package main

import (
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	codeCmdRE   = regexp.MustCompile(`<p class="code-cmd"><code>\$ go test -run &#39;\^(Example\w*)\$&#39; -v \./([\w/]+)</code></p>`)
	jsBlockRE   = regexp.MustCompile(`<div class="code-block" data-lang="js"( data-run="true")?>`)
	goBlockRE   = regexp.MustCompile(`<div class="code-block" data-lang="go"`)
	tabPanelsRE = regexp.MustCompile(`data-tab="(Go|JavaScript)"><div class="code-block" data-lang="(go|js)"`)
)

// Every SDK snippet in both languages: each engine page that shows Go
// SDK code shows the JavaScript SDK's beside it in Go/JavaScript tabs,
// every JavaScript snippet has Run, and every Go snippet from an Example
// function names the go test command that runs exactly that example,
// which exists.
func TestEngineDocsShowBothSDKs(t *testing.T) {
	base := startTestMain(t).URL()
	for _, lang := range []string{"en", "zh"} {
		for _, page := range []string{"channels", "presence", "history", "peer-messages", "tokens"} {
			path := "/" + lang + "/docs/engine/" + page
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
			goTabs, jsTabs := 0, 0
			for _, m := range tabPanelsRE.FindAllStringSubmatch(body, -1) {
				if m[1] == "Go" && m[2] == "go" {
					goTabs++
				} else if m[1] == "JavaScript" && m[2] == "js" {
					jsTabs++
				}
			}
			if goTabs == 0 || goTabs != jsTabs {
				t.Errorf("%s: %d Go tabs and %d JavaScript tabs, want as many of each, at least one", path, goTabs, jsTabs)
			}
			for _, m := range jsBlockRE.FindAllStringSubmatch(body, -1) {
				if m[1] == "" {
					t.Errorf("%s: a JavaScript snippet without Run", path)
				}
			}
			cmds := codeCmdRE.FindAllStringSubmatch(body, -1)
			if len(cmds) == 0 || len(goBlockRE.FindAllString(body, -1)) < goTabs {
				t.Errorf("%s: %d go test commands for %d Go tabs", path, len(cmds), goTabs)
			}
			for _, m := range cmds {
				if !hasFunc(t, m[2], m[1]) {
					t.Errorf("%s: %s names %s, which is not in ./%s", path, html.UnescapeString(m[0]), m[1], m[2])
				}
			}
		}
	}
}

// hasFunc reports whether a _test.go file in dir declares func name.
func hasFunc(t *testing.T, dir, name string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\nfunc "+name+"() {") {
			return true
		}
	}
	return false
}
