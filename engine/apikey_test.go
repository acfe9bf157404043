package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

func TestAPIKeyRotationOverlap(t *testing.T) {
	clock := enginetest.NewClock()
	v := newEnv(t, func(c *engine.Config) { c.Now = clock.Now })
	ctx := context.Background()
	a := v.app("backend")
	if !strings.HasPrefix(a.APIKey, engine.APIKeyPrefix) || len(a.APIKey) != len(engine.APIKeyPrefix)+48 {
		t.Fatalf("api key %q: want %s and 48 hex characters", a.APIKey, engine.APIKeyPrefix)
	}
	works := func(key string) bool {
		t.Helper()
		got, err := v.e.AppByAPIKey(ctx, key)
		if errors.Is(err, engine.ErrNotFound) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID {
			t.Fatalf("key names app %s, want %s", got.ID, a.ID)
		}
		return true
	}
	if !works(a.APIKey) {
		t.Fatal("new app's key refused")
	}
	if works(a.APIKey+"0") || works("") || works(a.Certificate) {
		t.Fatal("a wrong key (or the certificate) was accepted")
	}

	k2, err := v.e.RotateAPIKey(ctx, a.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !works(a.APIKey) || !works(k2) {
		t.Fatal("during the overlap both keys must work")
	}
	keys, err := v.e.APIKeys(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[0].ExpiresAt.IsZero() || !strings.HasPrefix(k2, keys[0].Prefix) ||
		!keys[1].ExpiresAt.Equal(clock.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()) {
		t.Fatalf("keys %+v: want the current key first, then the old one expiring in an hour", keys)
	}
	clock.Advance(time.Hour)
	if works(a.APIKey) {
		t.Fatal("old key still works after the overlap")
	}
	if !works(k2) {
		t.Fatal("current key refused after the overlap")
	}

	// No overlap: the old key stops at once (even though it is cached).
	k3, err := v.e.RotateAPIKey(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if works(k2) || !works(k3) {
		t.Fatal("rotation without overlap: old key must stop, new key must work")
	}
	if _, err := v.e.RotateAPIKey(ctx, "nope", 0); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("rotate unknown app: %v, want ErrNotFound", err)
	}
	if _, err := v.e.RotateAPIKey(ctx, a.ID, -time.Second); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("negative overlap: %v, want ErrInvalid", err)
	}
}

// A rotation by another engine on the same database (the apps command
// while the server runs) reaches this engine within AppCacheTTL.
func TestAPIKeyRotationSeenByOtherEngine(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	a := v.app("backend")
	if _, err := v.e.AppByAPIKey(ctx, a.APIKey); err != nil {
		t.Fatal(err) // now cached
	}
	other, err := engine.New(ctx, engine.Config{DB: v.db})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Shutdown(ctx)
	k2, err := other.RotateAPIKey(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, "the old key to stop working", func() bool {
		_, err := v.e.AppByAPIKey(ctx, a.APIKey)
		return errors.Is(err, engine.ErrNotFound)
	})
	if d := time.Since(start); d > engine.AppCacheTTL+time.Second {
		t.Fatalf("rotation seen after %v, want within %v", d, engine.AppCacheTTL)
	}
	if _, err := v.e.AppByAPIKey(ctx, k2); err != nil {
		t.Fatalf("new key: %v", err)
	}
}
