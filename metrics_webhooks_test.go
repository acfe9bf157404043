package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

// TestWebhookMetrics: /metrics counts a webhook event accepted and
// delivered to a real receiver, and a second endpoint's failed attempt.
func TestWebhookMetrics(t *testing.T) {
	m := startTestMain(t)
	ctx := context.Background()
	app, err := m.Engine.CreateApp(ctx, "metered")
	if err != nil {
		t.Fatal(err)
	}
	rc := newHookReceiver(t)
	if _, err := m.Webhooks.Add(ctx, webhooks.NewEndpoint{AppID: app.ID, URL: rc.srv.URL, Events: []string{webhooks.TypeConnect}}); err != nil {
		t.Fatal(err)
	}
	down := newHookReceiver(t)
	down.set(func(int) int { return http.StatusBadGateway }, 0)
	if _, err := m.Webhooks.Add(ctx, webhooks.NewEndpoint{AppID: app.ID, URL: down.srv.URL, Events: []string{webhooks.TypeConnect}}); err != nil {
		t.Fatal(err)
	}
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(m.URL(), "http")+"/v1/ws", tok)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := []string{
		`switchboard_webhook_events_total{outcome="accepted"} 2`,
		`switchboard_webhook_events_total{outcome="delivered"} 1`,
		`switchboard_webhook_events_total{outcome="retried"} 1`,
		`switchboard_webhook_events_total{outcome="lost"} 0`,
		`switchboard_webhook_events_total{outcome="dropped_queue"} 0`,
	}
	var body string
	defer func() {
		if t.Failed() {
			t.Logf("webhook lines of the last /metrics: %q", grepLines(body, "switchboard_webhook"))
		}
	}()
	waitUntil(t, "the counters", 10*time.Second, func() bool {
		resp, err := http.Get(m.URL() + "/metrics") // asks for gzip, and gunzips once
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	})
	if !strings.Contains(body, "# HELP switchboard_webhook_events_total") {
		t.Errorf("no HELP line:\n%s", body)
	}
}

func grepLines(s, sub string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}
