package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/sandbox"
)

// The sandbox on a cluster: an app the full node's sandbox creates is in
// the shared registry, so a demo user's token connects on an engine-only
// node and receives what is published on the full node; a load test runs
// on the cluster's full node and delivers everything; and when the app
// expires, the full node's sweeper deletes it cluster-wide, so the
// engine-only node refuses its tokens.
func TestClusterSandbox(t *testing.T) {
	ns := startTestNATS(t, &natsserver.Options{Host: "127.0.0.1", Port: -1})
	full := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "full", SkipDemo: true})
	edge := startClusterMain(t, Config{DataDir: t.TempDir(), NATS: []string{ns.ClientURL()}, Node: "edge", EngineOnly: true})
	ctx := context.Background()
	app, err := full.Sandbox.CreateApp(ctx, "192.0.2.7", 2)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := edge.Engine.GetApp(ctx, app.ID); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the engine-only node does not know the sandbox app within 1 s: %v", err)
		}
	}
	wsURL := "ws" + strings.TrimPrefix(edge.URL(), "http") + "/v1/ws"
	c, err := client.Dial(ctx, wsURL, app.Users[0].Token)
	if err != nil {
		t.Fatalf("a sandbox user on the engine-only node: %v", err)
	}
	got := make(chan client.Message, 1)
	if _, err := c.Subscribe(ctx, "demo", func(m client.Message) { got <- m }); err != nil {
		t.Fatal(err)
	}
	if _, err := full.Engine.Publish(ctx, app.ID, "demo", json.RawMessage(`"hi"`)); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if string(m.Data) != `"hi"` {
			t.Fatalf("got %s", m.Data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the sandbox user on the engine-only node got nothing")
	}
	c.Close()

	run, err := full.Sandbox.StartLoadTest(ctx, app.ID, sandbox.LoadTestParams{Clients: 10, Channels: 2, Rate: 50, DurationSec: 2})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := run.Wait(wctx)
	if err != nil {
		t.Fatalf("load test on a cluster: %v", err)
	}
	if rep.Sent == 0 || rep.Delivered != rep.Expected {
		t.Fatalf("load test on a cluster: sent %d, delivered %d of %d", rep.Sent, rep.Delivered, rep.Expected)
	}

	// The app's time is up: the full node's sweeper deletes it everywhere.
	if _, err := full.DB.ExecContext(ctx, `UPDATE sandbox_apps SET expires_at = ? WHERE app_id = ?`, time.Now().Add(-time.Second).UnixMilli(), app.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := full.Sandbox.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep: %d apps, %v", n, err)
	}
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, err := edge.Engine.GetApp(ctx, app.ID)
		if errors.Is(err, engine.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the engine-only node still knows the expired app after 1 s (%v)", err)
		}
	}
	if c, err := client.Dial(ctx, wsURL, app.Users[1].Token); err == nil {
		c.Close()
		t.Fatal("an expired sandbox app's token still connects on the engine-only node")
	}
}
