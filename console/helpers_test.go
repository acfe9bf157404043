package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

// directory is the forum's username lookup for these tests: the console
// stores only user IDs, and the portal tests run it with the real forum.
type directory map[string]int64

func (d directory) UserIDByUsername(_ context.Context, name string) (int64, bool, error) {
	id, ok := d[name]
	return id, ok, nil
}

type env struct {
	t     *testing.T
	e     *engine.Engine
	s     *console.Service
	clock *enginetest.Clock
}

// newEnv opens a real SQLite file with the engine's and the console's
// tables, and a console service on a test clock.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	clock := enginetest.NewClock()
	e, err := engine.New(ctx, engine.Config{DB: d, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(sctx)
	})
	users := directory{"alice": 1, "bob": 2, "carol": 3, "dave": 4, "erin": 5}
	s, err := console.New(ctx, console.Config{DB: d, Engine: e, Users: users, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, e: e, s: s, clock: clock}
}

// as is a context acting as user id.
func as(id int64, staff ...bool) context.Context {
	return console.NewContext(context.Background(), console.Actor{UserID: id, Name: "user", Email: emailOf(id), Staff: len(staff) > 0 && staff[0]})
}

func emailOf(id int64) string { return string(rune('a'+id-1)) + "@example.com" }

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
