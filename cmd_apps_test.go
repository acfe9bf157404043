package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

type createdApp struct {
	AppID   string `json:"app_id"`
	AppCert string `json:"app_cert"`
	APIKey  string `json:"api_key"`
	Name    string `json:"name"`
}

// apps runs an apps subcommand with -data DIR after it and returns stdout.
func apps(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append(append([]string{"apps"}, args...), "-data", dir), nil, &out, &errOut); err != nil {
		t.Fatalf("apps %q: %v\n%s", args, err, errOut.String())
	}
	return out.String()
}

// "apps create" prints credentials that really work: a token minted with
// them is accepted by an engine on the same data directory.
func TestAppsCreateAndList(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"-data", dir, "apps", "create", "Demo App", "-json"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var created createdApp
	if err := json.Unmarshal(out.Bytes(), &created); err != nil {
		t.Fatalf("apps create -json printed %q: %v", out.String(), err)
	}
	if len(created.AppID) != 32 || len(created.AppCert) != 64 || created.Name != "Demo App" || !strings.HasPrefix(created.APIKey, engine.APIKeyPrefix) {
		t.Fatalf("created = %+v, want a 32-hex ID, a 64-hex certificate, an API key and the name", created)
	}
	if _, err := engine.MintToken(created.AppID, created.AppCert, engine.Claims{Subject: "alice"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Global flags after the command.
	if list := apps(t, dir, "list"); !strings.Contains(list, created.AppID) || !strings.Contains(list, "Demo App") {
		t.Errorf("apps list = %q, want the new app", list)
	}
	if err := run(ctx, []string{"-data", dir, "apps", "create"}, nil, &out, io.Discard); err == nil {
		t.Error("apps create without a name: got nil error")
	}
	if err := run(ctx, []string{"-data", dir, "apps", "delete", "x"}, nil, &out, io.Discard); err == nil {
		t.Error("unknown apps subcommand: got nil error")
	}
}

// -help of any command, and a wrong command line, never creates a database.
func TestHelpCreatesNoDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"-help"}, {"apps", "-help"}, {"apps"}, {"apps", "create", "-help"}, {"apps", "set", "x", "-help"},
		{"apps", "rotate-key", "-help"}, {"apps", "nope"}, {"apps", "set", "x"}, {"apps", "show"},
		{"admin", "-help"}, {"admin", "create", "-help"}, {"bench", "-help"}, {"i18n-status", "-help"},
	} {
		dir := t.TempDir()
		err := run(context.Background(), append([]string{"-data", dir}, args...), nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%q: no error", args)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%q created %v in the data directory", args, entries)
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"apps", "-help"}, nil, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(stderr.String(), "rotate-key") || !strings.Contains(stderr.String(), "-max-conns") {
		t.Errorf("apps -help: %v\n%s", err, stderr.String())
	}
}

// A running server picks up "apps set" and "apps rotate-key" made by the
// command (another process on the same database) within a few seconds,
// over real WebSockets and HTTP.
func TestAppsChangesReachRunningServer(t *testing.T) {
	m := startTestMain(t)
	dir := m.Config.DataDir
	var a createdApp
	if err := json.Unmarshal([]byte(apps(t, dir, "create", "backend", "-json")), &a); err != nil {
		t.Fatal(err)
	}
	wsURL := "ws" + strings.TrimPrefix(m.URL(), "http") + "/v1/ws"
	dial := func(user string) (*client.Client, error) {
		tok, err := engine.MintToken(a.AppID, a.AppCert, engine.Claims{Subject: user}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return client.Dial(ctx, wsURL, tok)
	}
	first, err := dial("alice")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := dial("bob")
	if err != nil {
		t.Fatal(err)
	}
	second.Close()

	apps(t, dir, "set", a.AppID, "-max-conns", "1")
	var show struct {
		Limits struct {
			MaxConns int `json:"max_conns"`
		}
		APIKeys []struct{ Prefix string } `json:"api_keys"`
	}
	if err := json.Unmarshal([]byte(apps(t, dir, "show", a.AppID, "-json")), &show); err != nil {
		t.Fatal(err)
	}
	if show.Limits.MaxConns != 1 || len(show.APIKeys) != 1 || !strings.HasPrefix(show.APIKeys[0].Prefix, a.APIKey[:8]) {
		t.Fatalf("apps show: %+v", show)
	}
	start := time.Now()
	waitUntil(t, "the server to refuse a second connection", 5*time.Second, func() bool {
		c, err := dial("bob")
		if err == nil {
			c.Close()
			return false
		}
		if !errors.Is(err, client.ErrTooManyConnections) {
			t.Fatalf("second connection: %v, want too_many_connections", err)
		}
		return true
	})
	t.Logf("max-conns change applied after %v", time.Since(start).Round(time.Millisecond))

	// A publish-rate change reaches the connection that is already open.
	apps(t, dir, "set", a.AppID, "-publish-rate", "0.01", "-publish-burst", "1")
	waitUntil(t, "the open connection to be rate-limited", 5*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for range 2 {
			if _, err := first.Publish(ctx, "news", 1); errors.Is(err, client.ErrRateLimited) {
				return true
			} else if err != nil {
				t.Fatalf("publish: %v", err)
			}
		}
		return false
	})

	publish := func(key string) int {
		req, _ := http.NewRequest("POST", m.URL()+"/v1/api/publish", strings.NewReader(`{"channel":"news","data":1}`))
		req.Header.Set("Authorization", "Bearer "+key) // no Content-Type: the portal's CSRF check does not apply to /v1/api/
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := publish(a.APIKey); s != 200 {
		t.Fatalf("publish with the key from apps create: %d", s)
	}
	var rot struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(apps(t, dir, "rotate-key", a.AppID, "-overlap", "1h", "-json")), &rot); err != nil {
		t.Fatal(err)
	}
	if publish(a.APIKey) != 200 || publish(rot.APIKey) != 200 {
		t.Fatal("during the overlap both keys must work")
	}
	apps(t, dir, "rotate-key", a.AppID, "-overlap", "0")
	waitUntil(t, "the replaced key to be refused", 5*time.Second, func() bool { return publish(rot.APIKey) == 401 })
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every engine limit has a flag with an environment twin, listed in -help.
func TestEngineLimitFlags(t *testing.T) {
	t.Setenv("SWITCHBOARD_ENGINE_PUBLISH_RATE", "7.5")
	cfg, rest, err := parseFlags([]string{"apps", "list", "-engine-max-message-bytes", "1000", "-engine-history-ttl=1m"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EngineLimits.MaxMessageBytes != 1000 || cfg.EngineLimits.HistoryTTL != time.Minute || cfg.EngineLimits.PublishRate != 7.5 {
		t.Fatalf("limits %+v", cfg.EngineLimits)
	}
	if strings.Join(rest, " ") != "apps list" {
		t.Fatalf("rest %q", rest)
	}
	if _, _, err := parseFlags([]string{"-engine-publish-burst", "-1"}, io.Discard); err == nil {
		t.Fatal("a negative limit was accepted")
	}
	var stderr bytes.Buffer
	parseFlags([]string{"-help"}, &stderr)
	for _, want := range []string{"-engine-max-message-bytes", "SWITCHBOARD_ENGINE_MAX_MESSAGE_BYTES", "-engine-publish-rate",
		"-engine-max-subscriptions-per-conn", "-engine-history-ttl", "-engine-api-rate", "-engine-shutdown-reconnect-delay"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-help lacks %s", want)
		}
	}
}

// The Limits page lists every -engine-* flag and its environment
// variable, in English and Chinese.
func TestLimitsPageListsEveryFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var l engine.Limits
	if err := limitFlags(fs, &l); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		page, err := os.ReadFile("content/docs/" + lang + "/engine/limits.md")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			key := "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			if !strings.Contains(string(page), "`-"+f.Name+"`") || !strings.Contains(string(page), "`"+key+"`") {
				t.Errorf("%s limits page lacks -%s or %s", lang, f.Name, key)
			}
		})
		if n < 20 {
			t.Fatalf("only %d limit flags", n)
		}
	}
}
