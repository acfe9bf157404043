package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestAdminPlan(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runAdmin(ctx, []string{"create", "--email", "acme@example.com", "--password-stdin"}, dir, strings.NewReader("a good long password\n"), &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"admin", "plan", "-data", dir}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"community", "standard", "premium"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan list %q lacks %s", out.String(), want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"admin", "plan", "-team", "acme", "-plan", "premium", "-data", dir}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "Team acme is now on the Premium plan.\n" {
		t.Errorf("output %q", got)
	}
	// It is stored: the served portal sees it.
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: dir, SkipDemo: true}, nil)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	team, err := m.Support.TeamByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := m.Support.TeamPlan(ctx, team.ID); err != nil || p.ID != "premium" {
		t.Fatalf("plan %+v %v", p, err)
	}
	for _, bad := range [][]string{{"-team", "nobody", "-plan", "premium"}, {"-team", "acme", "-plan", "gold"}, {"-team", "acme"}} {
		if err := run(ctx, append([]string{"admin", "plan", "-data", dir}, bad...), nil, &out, &out); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
