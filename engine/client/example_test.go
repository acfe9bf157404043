package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"switchboard/engine/client"
)

// Connect, subscribe to a channel and publish to it.
func Example() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	token := mintToken(appID, appCert, "alice") // normally fetched from your backend

	c, err := client.Dial(ctx, url, token)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	messages := make(chan client.Message, 16)
	if _, err := c.SubscribeChan(ctx, "news", messages); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Publish(ctx, "news", map[string]string{"text": "hello"}); err != nil {
		log.Fatal(err)
	}
	m := <-messages
	fmt.Printf("%s #%d from %s: %s\n", m.Channel, m.Offset, m.From, m.Data)
	// Output: news #1 from alice: {"text":"hello"}
}

// Subscribe with a handler function.
func ExampleClient_Subscribe() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	c, err := client.Dial(ctx, url, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	done := make(chan struct{})
	_, err = c.Subscribe(ctx, "chat", func(m client.Message) {
		fmt.Printf("%s says %s\n", m.From, m.Data)
		close(done)
	}, client.WithAck()) // acknowledged delivery: unacknowledged messages are resent
	if err != nil {
		log.Fatal(err)
	}
	c.Publish(ctx, "chat", "hi there")
	<-done
	// Output: alice says "hi there"
}

// Send a message to another user; it is stored while they are offline and
// delivered when they log in.
func ExampleClient_SendPeer() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	alice, err := client.Dial(ctx, url, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close()

	receipt, err := alice.SendPeer(ctx, "bob", map[string]string{"text": "call me"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("receipt:", receipt.Status)

	inbox := make(chan client.PeerMessage, 1)
	bob, err := client.Dial(ctx, url, mintToken(appID, appCert, "bob"),
		client.WithPeerHandler(func(m client.PeerMessage) { inbox <- m }))
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()
	m := <-inbox
	fmt.Printf("bob got %s from %s (offline: %v)\n", m.Data, m.From, m.Offline)

	receipt, _ = alice.SendPeer(ctx, "bob", "are you there?")
	fmt.Println("receipt:", receipt.Status)
	// Output:
	// receipt: stored
	// bob got {"text":"call me"} from alice (offline: true)
	// receipt: delivered
}

// Read the last messages of a channel.
func ExampleClient_History() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	c, err := client.Dial(ctx, url, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	for _, text := range []string{"one", "two", "three"} {
		c.Publish(ctx, "log", text)
	}
	h, err := c.History(ctx, "log", client.HistoryOptions{Limit: 2, Latest: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range h.Publications {
		fmt.Println(m.Offset, string(m.Data))
	}
	// Output:
	// 2 "two"
	// 3 "three"
}

// See who is in a channel, with their state, and where a user is.
func ExampleClient_Presence() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	c, err := client.Dial(ctx, url, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	c.Subscribe(ctx, "room", func(client.Message) {})
	c.SetState(ctx, "room", map[string]string{"mood": "busy"})
	members, err := c.Presence(ctx, "room")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range members {
		fmt.Println(m.User, m.State["mood"])
	}
	where, _ := c.WhereNow(ctx, "alice")
	fmt.Println("alice is in", where)
	// Output:
	// alice busy
	// alice is in [room]
}

// Renew the token before it expires, without reconnecting: the server
// sends an "expiring" event and the client calls the refresher.
func ExampleWithTokenRefresher() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	fetchToken := func(ctx context.Context) (string, error) {
		// In an app: ask your backend for a fresh token over HTTPS.
		return mintToken(appID, appCert, "alice"), nil
	}
	token, _ := fetchToken(ctx)
	c, err := client.Dial(ctx, url, token, client.WithTokenRefresher(fetchToken))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected as", c.Info().UserID)
	// Output: connected as alice
}

// Handle errors by kind with errors.Is, or read the code with errors.As.
func ExampleError() {
	ctx := context.Background()
	url, appID, appCert := startEngine()
	c, err := client.Dial(ctx, url, mintToken(appID, appCert, "alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = c.Publish(ctx, "news", strings.Repeat("x", 40*1024))
	if errors.Is(err, client.ErrMessageTooLarge) {
		fmt.Println("too large")
	}
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println("code", e.Code)
	}
	// Output:
	// too large
	// code 130
}
