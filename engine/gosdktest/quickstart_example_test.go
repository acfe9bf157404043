package gosdktest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// The Go quick-start in the docs is the region of this example between the
// START and END markers; the lines outside it start a real engine on a
// loopback port for the test.
func Example_quickstart() {
	wsURL, appID, appCert := startEngine()

	// [START quickstart]
	ctx := context.Background()

	// On your backend: sign a token for the user with the App Certificate.
	token, err := engine.MintToken(appID, appCert, engine.Claims{Subject: "alice"}, time.Hour)
	if err != nil {
		log.Fatal(err)
	}

	// In your client: connect with the token.
	c, err := client.Dial(ctx, wsURL, token)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Subscribe to a channel and publish to it.
	received := make(chan client.Message, 1)
	if _, err := c.SubscribeChan(ctx, "lobby", received); err != nil {
		log.Fatal(err)
	}
	pos, err := c.Publish(ctx, "lobby", map[string]string{"text": "hello, world"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("published at offset", pos.Offset)

	m := <-received
	fmt.Printf("%s wrote %s in %s\n", m.From, m.Data, m.Channel)
	// [END quickstart]

	// Output:
	// published at offset 1
	// alice wrote {"text":"hello, world"} in lobby
}
