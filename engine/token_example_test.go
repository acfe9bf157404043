package engine_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// startExampleEngine runs a real engine on a loopback port with a fresh
// SQLite file, and returns its WebSocket URL and a new app.
func startExampleEngine() (wsURL string, app engine.App, stop func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "engine-example-")
	if err != nil {
		log.Fatal(err)
	}
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		log.Fatal(err)
	}
	e, err := engine.New(ctx, engine.Config{DB: d})
	if err != nil {
		log.Fatal(err)
	}
	if app, err = e.CreateApp(ctx, "example"); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/ws", app, func() {
		srv.Close()
		e.Shutdown(ctx)
		d.Close()
		os.RemoveAll(dir)
	}
}

// Mint a token in Go with the engine package: the user may read every
// channel but publish only to channels starting with "chat.".
func ExampleMintToken() {
	wsURL, app, stop := startExampleEngine()
	defer stop()
	appID, appCert := app.ID, app.Certificate

	// [START mint]
	token, err := engine.MintToken(appID, appCert, engine.Claims{
		Subject: "alice",            // the user ID
		Publish: []string{"chat.*"}, // optional: restrict publishing
	}, 2*time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	// [END mint]

	ctx := context.Background()
	c, err := client.Dial(ctx, wsURL, token)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = c.Publish(ctx, "chat.general", "hi")
	fmt.Println("publish to chat.general:", err)
	_, err = c.Publish(ctx, "news", "hi")
	fmt.Println("publish to news denied:", errors.Is(err, client.ErrPermissionDenied))
	// Output:
	// publish to chat.general: <nil>
	// publish to news denied: true
}

// Mint a token with nothing but a hash function: this is what a backend in
// any language does.
func Example_mintWithStandardLibrary() {
	wsURL, app, stop := startExampleEngine()
	defer stop()
	appID, appCert := app.ID, app.Certificate

	// [START stdlib]
	b64 := base64.RawURLEncoding // base64url without padding
	header := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{
		"sub": "bob",      // user ID
		"app": appID,      // App ID
		"iat": now,        // issued at, Unix seconds
		"exp": now + 3600, // expires at, Unix seconds
	})
	signingInput := header + "." + b64.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(appCert)) // key: the App Certificate
	mac.Write([]byte(signingInput))
	token := signingInput + "." + b64.EncodeToString(mac.Sum(nil))
	// [END stdlib]

	c, err := client.Dial(context.Background(), wsURL, token)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected as", c.Info().UserID)
	// Output: connected as bob
}
