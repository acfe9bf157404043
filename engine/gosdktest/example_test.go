package gosdktest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/switchboard-rtm/switchboard/engine/client"
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
func Example_subscribeHandler() {
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

// Renew the token before it expires, without reconnecting: the server
// sends an "expiring" event and the client calls the refresher.
func Example_tokenRefresher() {
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
func Example_error() {
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
