package jssdk_test

import (
	"context"
	"net/http/httptest"
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
