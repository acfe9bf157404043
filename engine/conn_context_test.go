package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// blockingPresence holds every join until its context ends (or a minute
// passes) and reports the context's error.
type blockingPresence struct {
	engine.PresenceManager
	joining chan struct{}
	ended   chan error
}

func (p *blockingPresence) Join(ctx context.Context, ch engine.ChannelID, user, client string) (bool, error) {
	p.joining <- struct{}{}
	select {
	case <-ctx.Done():
		p.ended <- ctx.Err()
		return false, ctx.Err()
	case <-time.After(time.Minute):
		p.ended <- nil
		return false, errors.New("context never ended")
	}
}

// Every op runs in its connection's context, which ends when the server
// closes the connection or shuts down, so a stuck op gives up instead of
// outliving its connection (it ran in context.Background).
func TestOpsEndWithTheirConnection(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(v *env, a engine.App)
	}{
		{"server closes the connection", func(v *env, a engine.App) {
			if n, err := v.e.DisconnectUser(context.Background(), a.ID, "bob"); n != 1 || err != nil {
				t.Errorf("DisconnectUser: %d, %v", n, err)
			}
		}},
		{"engine shuts down", func(v *env, a engine.App) { v.stop() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &blockingPresence{PresenceManager: engine.NewMemoryPresence(), joining: make(chan struct{}, 1), ended: make(chan error, 1)}
			v := newEnv(t, func(c *engine.Config) { c.Presence = p })
			a := v.app("demo")
			bob := v.connect(a, "bob")
			bob.start("subscribe", map[string]any{"channel": "room", "presence": true})
			select {
			case <-p.joining:
			case <-time.After(10 * time.Second):
				t.Fatal("subscribe never reached the presence manager")
			}
			go tc.close(v, a)
			select {
			case err := <-p.ended:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("the op's context ended with %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the op's context did not end with its connection")
			}
		})
	}
}
