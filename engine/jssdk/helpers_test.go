package jssdk_test

import (
	"context"
	"testing"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
)

// newEngine starts a real engine on a fresh SQLite file, with limits
// (zero fields take the defaults); it is shut down when the test ends.
func newEngine(t *testing.T, limits engine.Limits) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	e, err := engine.New(ctx, engine.Config{DB: d, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	return e
}
