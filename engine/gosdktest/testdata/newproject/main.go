// Command chat is the program of the "new project" step of the Go
// quick-start: newproject_test.go builds it in a fresh module that adds the
// SDK the way the docs say, and runs it against a real engine.
package main

// [START main]
import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/switchboard-rtm/switchboard/engine/client"
)

// go run . ws://127.0.0.1:8080/v1/ws TOKEN (a JWT your backend mints).
func main() {
	ctx := context.Background()
	c, err := client.Dial(ctx, os.Args[1], os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected as", c.Info().UserID)

	news := make(chan client.Message, 1)
	if _, err := c.SubscribeChan(ctx, "news", news); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Publish(ctx, "news", map[string]string{"text": "hello from Go"}); err != nil {
		log.Fatal(err)
	}
	m := <-news
	fmt.Printf("%s #%d: %s\n", m.Channel, m.Offset, m.Data)
}

// [END main]
