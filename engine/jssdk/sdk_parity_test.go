package jssdk_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// TestGoSDKResumesFromSavedPosition holds the Go SDK to what the JavaScript
// SDK does (see "history by last N and by offset range" in
// jssdk_e2e_test.go): subscribing with a saved position delivers what was
// published after it. The reply and the recovered publications race inside
// the Go SDK, so one attempt may pass by luck; the test repeats it.
func TestGoSDKResumesFromSavedPosition(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, engine.Limits{})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	app, err := e.CreateApp(ctx, "parity")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var last client.Position
	for i := 1; i <= 3; i++ {
		if last, err = c.Publish(ctx, "log", i); err != nil {
			t.Fatal(err)
		}
	}
	for attempt := 1; attempt <= 500; attempt++ {
		got := make(chan uint64, 8)
		s, err := c.Subscribe(ctx, "log", func(m client.Message) { got <- m.Offset },
			client.WithRecover(client.Position{Offset: 1, Epoch: last.Epoch}))
		if err != nil {
			t.Fatal(err)
		}
		var offsets []uint64
		timeout := time.After(time.Second)
	wait:
		for len(offsets) < 2 {
			select {
			case o := <-got:
				offsets = append(offsets, o)
			case <-timeout:
				break wait
			}
		}
		if len(offsets) != 2 || offsets[0] != 2 || offsets[1] != 3 {
			t.Fatalf("attempt %d: resumed from offset 1, got offsets %v, want [2 3]", attempt, offsets)
		}
		if err := s.Unsubscribe(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSDKVersionsAgree holds the promise of the "SDK versions and
// deprecations" page: the two SDKs are released together with one version
// number, the same in the Go constant, the JavaScript constant and
// package.json, and each sends the name the page lists.
func TestSDKVersionsAgree(t *testing.T) {
	js, err := os.ReadFile("switchboard.js")
	if err != nil {
		t.Fatal(err)
	}
	jsConst := func(name string) string {
		m := regexp.MustCompile(`export const ` + name + ` = '([^']+)'`).FindSubmatch(js)
		if m == nil {
			t.Fatalf("switchboard.js exports no %s string", name)
		}
		return string(m[1])
	}
	var pkg struct{ Version string }
	if b, err := os.ReadFile("package.json"); err != nil || json.Unmarshal(b, &pkg) != nil {
		t.Fatalf("package.json: %v", err)
	}
	if v := jsConst("VERSION"); v != client.Version || pkg.Version != client.Version {
		t.Errorf("Go SDK %s, switchboard.js VERSION %s, package.json %s: want one version", client.Version, v, pkg.Version)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(client.Version) {
		t.Errorf("version %q is not MAJOR.MINOR.PATCH", client.Version)
	}
	if got := jsConst("SDK_NAME"); got != "switchboard-js" || client.SDKName != "switchboard-go" {
		t.Errorf("SDK names %q and %q, want switchboard-go and switchboard-js (docs: SDK versions)", client.SDKName, got)
	}
}
