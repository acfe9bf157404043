package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/webhooks/examples"
)

// TestWebhooksAcknowledgedSurviveKill9 kills the server with SIGKILL while
// clients are publishing and sending peer messages as fast as they can,
// the moment the actions acknowledged so far pass a threshold, with no
// pause for the outbox. After a restart, every event of every action a
// client saw acknowledged (connect, subscribe, publish, peer.stored) is
// delivered to the receiver, each under exactly one event ID, signed, and
// each channel's publications in offset order.
func TestWebhooksAcknowledgedSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills child servers")
	}
	bin, dir, app := buildWithApp(t, "acked")
	rc := newHookReceiver(t)
	rc.set(func(int) int { return http.StatusOK }, 5*time.Millisecond) // a backlog builds up
	out, err := exec.Command(bin, "-data", dir, "apps", "webhook", "add", app.ID, "-url", rc.srv.URL,
		"-events", "connect,subscribe,channel.occupied,presence.join,publish,peer.stored", "-channels", "*", "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ep struct{ Secret string }
	json.Unmarshal(out, &ep)
	limits := []string{"-engine-publish-rate", "100000", "-engine-publish-burst", "100000"}
	srv := startServerProcess(t, bin, dir, limits...)
	ws := "ws" + strings.TrimPrefix(srv.url, "http") + "/v1/ws"

	// Each acknowledged action adds the keys of the events it made.
	var mu sync.Mutex
	var want []string
	acked := func(keys ...string) {
		mu.Lock()
		want = append(want, keys...)
		mu.Unlock()
	}
	const clients, threshold = 32, 600
	var actions atomic.Int64
	var killOnce sync.Once
	// A client that noticed the cut before its next call would wait for a
	// reconnection (back-off one hour): the kill also ends the calls.
	calls, cancelCalls := context.WithCancel(context.Background())
	defer cancelCalls()
	kill := func() { srv.cmd.Process.Kill(); cancelCalls() } // SIGKILL: no shutdown, no flush
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i := range clients {
		user, channel := fmt.Sprintf("user%d", i), fmt.Sprintf("room%d", i)
		tok, err := engine.MintToken(app.ID, app.Cert, engine.Claims{Subject: user}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		c, err := client.Dial(ctx, ws, tok, client.WithBackoff(time.Hour, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		acked("connect/" + user)
		if _, err := c.Subscribe(ctx, channel, func(client.Message) {}); err != nil {
			t.Fatal(err)
		}
		acked("channel.occupied/"+channel, "subscribe/"+user+"/"+channel, "presence.join/"+user+"/"+channel)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			for n := 0; ; n++ {
				if n%4 == 3 {
					r, err := c.SendPeer(calls, fmt.Sprintf("offline%d-%d", i, n), n)
					if err != nil {
						return // the server is gone
					}
					acked("peer.stored/" + strconv.FormatInt(r.MessageID, 10))
				} else {
					p, err := c.Publish(calls, channel, n)
					if err != nil {
						return
					}
					acked(fmt.Sprintf("publish/%s/%d", channel, p.Offset))
				}
				if actions.Add(1) == threshold {
					killOnce.Do(kill)
				}
			}
		}()
	}
	close(ready)
	wg.Wait()
	srv.cmd.Wait()
	mu.Lock()
	expected := slices.Clone(want)
	mu.Unlock()
	deliveredBefore := len(rc.acceptedIDs())
	if deliveredBefore >= len(expected) {
		t.Fatalf("all %d acknowledged events were delivered before the kill; nothing was pending", len(expected))
	}
	t.Logf("killed after %d acknowledged actions: %d events expected, %d delivered before the kill", actions.Load(), len(expected), deliveredBefore)

	rc.set(func(int) int { return http.StatusOK }, 0)
	startServerProcess(t, bin, dir, limits...)
	ids := map[string]map[string]bool{} // event key → IDs delivered with it
	var order []hookRequest             // first delivery of each ID
	collect := func() {
		clear(ids)
		order = order[:0]
		seen := map[string]bool{}
		for _, r := range rc.requests() {
			if r.Status/100 != 2 || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			order = append(order, r)
			k := eventKey(r)
			if ids[k] == nil {
				ids[k] = map[string]bool{}
			}
			ids[k][r.ID] = true
		}
	}
	missing := func() []string {
		collect()
		var m []string
		for _, k := range expected {
			if len(ids[k]) == 0 {
				m = append(m, k)
			}
		}
		return m
	}
	for deadline := time.Now().Add(30 * time.Second); len(missing()) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			m := missing()
			t.Fatalf("%d events of acknowledged actions never delivered, such as %q", len(m), m[:min(len(m), 5)])
		}
	}
	time.Sleep(300 * time.Millisecond) // let a duplicate under a new ID show up, if there were one
	collect()
	for k, set := range ids {
		if len(set) != 1 {
			t.Errorf("event %s delivered under %d IDs, want 1", k, len(set))
		}
	}
	for _, r := range rc.requests() {
		if err := examples.Verify(ep.Secret, r.Signature, r.Body, time.Now()); err != nil {
			t.Errorf("event %s: %v", r.ID, err)
		}
	}
	last := map[string]float64{}
	for _, r := range order {
		if r.Type != "publish" {
			continue
		}
		ch, _ := r.Data["channel"].(string)
		off, _ := r.Data["offset"].(float64)
		if off <= last[ch] {
			t.Errorf("%s: offset %v delivered after %v", ch, off, last[ch])
		}
		last[ch] = off
	}
}

// eventKey names the logical event a delivery is about, as the test's
// acknowledged actions do.
func eventKey(r hookRequest) string {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	n := func(k string) string { v, _ := r.Data[k].(float64); return strconv.FormatInt(int64(v), 10) }
	switch r.Type {
	case "connect":
		return "connect/" + s("user")
	case "channel.occupied":
		return "channel.occupied/" + s("channel")
	case "subscribe", "presence.join":
		return r.Type + "/" + s("user") + "/" + s("channel")
	case "publish":
		return "publish/" + s("channel") + "/" + n("offset")
	case "peer.stored":
		return "peer.stored/" + n("message_id")
	}
	return r.Type + "/" + r.ID
}
