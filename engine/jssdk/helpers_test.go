package jssdk_test

import (
	"context"
	"path/filepath"
	"testing"

	"switchboard/db"
	"switchboard/engine"
)

// newEngine starts a real engine on a fresh SQLite file, with limits
// (zero fields take the defaults); it is shut down when the test ends.
func newEngine(t *testing.T, limits engine.Limits) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	return e
}
