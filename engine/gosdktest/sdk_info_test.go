package gosdktest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// TestEngineRecordsSDKPerConnection: the engine keeps the Go SDK's name
// and version with each connection while it is open (Engine.Clients, as
// the "SDK versions and deprecations" page says), and forgets a connection
// when it closes.
func TestEngineRecordsSDKPerConnection(t *testing.T) {
	ctx := context.Background()
	te := newTestEngine(engine.Limits{})
	defer te.close()
	dial := func(user string) *client.Client {
		tok, err := engine.MintToken(te.app.ID, te.app.Certificate, engine.Claims{Subject: user}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(ctx, te.url, tok)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	alice, bob := dial("alice"), dial("bob")
	defer bob.Close()
	clients := func() []string {
		var out []string
		for _, c := range te.e.Clients(te.app.ID) {
			out = append(out, c.UserID+" "+c.ClientID+" "+c.SDK+"@"+c.SDKVersion)
		}
		slices.Sort(out)
		return out
	}
	sdk := client.SDKName + "@" + client.Version
	want := []string{"alice " + alice.Info().ClientID + " " + sdk, "bob " + bob.Info().ClientID + " " + sdk}
	slices.Sort(want)
	if got := clients(); !slices.Equal(got, want) {
		t.Fatalf("Clients: %q, want %q", got, want)
	}
	alice.Close()
	want = []string{"bob " + bob.Info().ClientID + " " + sdk}
	deadline := time.Now().Add(5 * time.Second)
	for got := clients(); !slices.Equal(got, want); got = clients() {
		if time.Now().After(deadline) {
			t.Fatalf("after alice closed, Clients: %q, want %q", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
