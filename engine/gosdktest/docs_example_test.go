package gosdktest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// The docs pages include the regions between START and END markers in this
// file, so every snippet they show compiles and runs in CI.

func Example_subscribe() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	done := make(chan struct{})

	// [START subscribe]
	sub, err := c.Subscribe(ctx, "room.42", func(m client.Message) {
		fmt.Printf("#%d %s: %s\n", m.Offset, m.From, m.Data)
		close(done)
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Publish(ctx, "room.42", map[string]any{"text": "hi", "x": 1}); err != nil {
		log.Fatal(err)
	}
	// [END subscribe]

	<-done
	fmt.Println("subscribed to", sub.Channel())
	// Output:
	// #1 alice: {"text":"hi","x":1}
	// subscribed to room.42
}

func Example_ack() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	got := make(chan string, 1)
	handle := func(m client.Message) { got <- string(m.Data) }

	// [START ack]
	sub, err := c.Subscribe(ctx, "orders", handle, client.WithAck())
	// [END ack]
	if err != nil {
		log.Fatal(err)
	}
	c.Publish(ctx, "orders", "order #1")
	fmt.Println(<-got, "on", sub.Channel())
	// Output: "order #1" on orders
}

func Example_unsubscribe() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	sub, err := c.Subscribe(ctx, "news", func(client.Message) {})
	if err != nil {
		log.Fatal(err)
	}

	// [START unsubscribe]
	err = sub.Unsubscribe(ctx)
	// [END unsubscribe]
	fmt.Println("unsubscribed:", err == nil)
	// Output: unsubscribed: true
}

// Send a message to another user; it is stored while they are offline and
// delivered when they log in.
func Example_sendPeer() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()

	// [START peer]
	// bob is offline: the message is stored for him.
	receipt, err := c.SendPeer(ctx, "bob", map[string]string{"text": "call me"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("receipt:", receipt.Status)

	// When bob connects, his stored messages arrive first, in order.
	inbox := make(chan client.PeerMessage, 1)
	bob, err := client.Dial(ctx, wsURL, mintToken(appID, appCert, "bob"),
		client.WithPeerHandler(func(m client.PeerMessage) { inbox <- m }))
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()
	m := <-inbox
	fmt.Printf("bob got %s from %s (offline: %v)\n", m.Data, m.From, m.Offline)
	// [END peer]

	// Output:
	// receipt: stored
	// bob got {"text":"call me"} from alice (offline: true)
}

func Example_peerWithoutStore() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	data := "are you there?"

	// [START without-store]
	receipt, err := c.SendPeer(ctx, "bob", data, client.WithoutStore())
	// [END without-store]
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(receipt.Status, receipt.Reason)
	// Output: failed offline
}

// See who is in a channel, with their state, and where a user is.
func Example_presence() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()

	// [START presence]
	if _, err := c.Subscribe(ctx, "room", func(client.Message) {}); err != nil {
		log.Fatal(err)
	}
	if err := c.SetState(ctx, "room", map[string]string{"mood": "busy"}); err != nil {
		log.Fatal(err)
	}
	members, err := c.Presence(ctx, "room")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range members {
		fmt.Println(m.User, m.Connections, m.State["mood"])
	}
	channels, err := c.WhereNow(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice is in", channels)
	// [END presence]

	// Output:
	// alice 1 busy
	// alice is in [room]
}

func Example_presenceEvents() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	bob, err := client.Dial(ctx, wsURL, mintToken(appID, appCert, "bob"))
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()
	left := make(chan struct{})
	handle := func(client.Message) {}

	// [START presence-events]
	_, err = bob.Subscribe(ctx, "room", handle, client.WithPresenceEvents(func(ev client.PresenceEvent) {
		fmt.Println(ev.Type, ev.User) // "join", "leave" or "state"
		// [END presence-events]
		if ev.Type == "leave" {
			close(left)
		}
		// [START presence-events]
	}))
	// [END presence-events]
	if err != nil {
		log.Fatal(err)
	}
	alice, err := client.Dial(ctx, wsURL, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	alice.Subscribe(ctx, "room", handle)
	alice.Close()
	<-left
	// Output:
	// join bob
	// join alice
	// leave alice
}

// Read the last messages of a channel.
func Example_history() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	for _, text := range []string{"one", "two", "three"} {
		c.Publish(ctx, "log", text)
	}

	// [START history]
	h, err := c.History(ctx, "log", client.HistoryOptions{Limit: 2, Latest: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range h.Publications {
		fmt.Println(m.Offset, string(m.Data))
	}
	fmt.Println("latest offset", h.Position.Offset, "oldest kept", h.Oldest)
	// [END history]

	// Output:
	// 2 "two"
	// 3 "three"
	// latest offset 3 oldest kept 1
}

func Example_recovery() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	c := dialExample(ctx, wsURL, appID, appCert, "alice")
	defer c.Close()
	handle := func(client.Message) {}
	reloadScoresFromYourAPI := func() {}

	// [START recovery]
	sub, err := c.Subscribe(ctx, "scores", handle, client.WithOnResubscribe(func(r client.Recovery) {
		if !r.Recovered {
			reloadScoresFromYourAPI() // some messages were older than the history window
		}
	}))
	// [END recovery]
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("subscribed to", sub.Channel())
	// Output: subscribed to scores
}

func Example_renew() {
	ctx := context.Background()
	wsURL, appID, appCert := startEngine()
	renewed := make(chan struct{}, 1)
	fetchTokenFromYourBackend := func(ctx context.Context) (string, error) {
		renewed <- struct{}{}
		return mintToken(appID, appCert, "alice"), nil
	}
	// A token that lives two seconds: the engine asks for a new one after one.
	token := shortToken(appID, appCert, "alice", 2*time.Second)

	// [START renew]
	c, err := client.Dial(ctx, wsURL, token, client.WithTokenRefresher(func(ctx context.Context) (string, error) {
		return fetchTokenFromYourBackend(ctx)
	}))
	// [END renew]
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	<-renewed
	deadline := time.Now().Add(5 * time.Second)
	for c.Info().ExpiresAt.Before(time.Now().Add(time.Minute)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("renewed without reconnecting:", c.Connected() && c.Info().ExpiresAt.After(time.Now().Add(time.Minute)))
	// Output: renewed without reconnecting: true
}

// shortToken mints a token that expires after ttl.
func shortToken(appID, appCert, user string, ttl time.Duration) string {
	tok, err := engine.MintToken(appID, appCert, engine.Claims{Subject: user}, ttl)
	if err != nil {
		panic(err)
	}
	return tok
}

// dialExample connects user for an example (the setup, not the lesson).
func dialExample(ctx context.Context, wsURL, appID, appCert, user string) *client.Client {
	c, err := client.Dial(ctx, wsURL, mintToken(appID, appCert, user))
	if err != nil {
		log.Fatal(err)
	}
	return c
}
