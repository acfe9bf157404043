package engine_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

// Embed the engine in a server: open the database, create the engine and
// an app, and mount the WebSocket endpoint.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "switchboard-example")
	defer os.RemoveAll(dir)

	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: engine.Limits{MaxMessageBytes: 16 * 1024}})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Shutdown(ctx)

	app, err := e.CreateApp(ctx, "chat")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/ws", e.Handler())
	// http.ListenAndServe(":8080", mux)

	fmt.Println(app.Name, len(app.ID), len(app.Certificate), e.Limits().MaxMessageBytes, e.Limits().PublishRate)
	// Output: chat 32 64 16384 60
}
