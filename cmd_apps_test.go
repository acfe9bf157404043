package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// "apps create" prints credentials that really work: a token minted with
// them is accepted by an engine on the same data directory.
func TestAppsCreateAndList(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"-data", dir, "apps", "create", "Demo App", "-json"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var created struct {
		AppID   string `json:"app_id"`
		AppCert string `json:"app_cert"`
		Name    string `json:"name"`
	}
	if err := json.Unmarshal(out.Bytes(), &created); err != nil {
		t.Fatalf("apps create -json printed %q: %v", out.String(), err)
	}
	if len(created.AppID) != 32 || len(created.AppCert) != 64 || created.Name != "Demo App" {
		t.Fatalf("created = %+v, want a 32-hex ID, a 64-hex certificate and the name", created)
	}
	if _, err := engine.MintToken(created.AppID, created.AppCert, engine.Claims{Subject: "alice"}, time.Minute); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if err := run(ctx, []string{"-data", dir, "apps", "list"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), created.AppID) || !strings.Contains(out.String(), "Demo App") {
		t.Errorf("apps list = %q, want the new app", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"-data", dir, "apps", "create"}, nil, &out, io.Discard); err == nil {
		t.Error("apps create without a name: got nil error")
	}
	if err := run(ctx, []string{"-data", dir, "apps", "delete", "x"}, nil, &out, io.Discard); err == nil {
		t.Error("unknown apps subcommand: got nil error")
	}
}
