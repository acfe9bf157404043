package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
)

// TestCertificateRotationOverlap connects over a real WebSocket with tokens
// signed by the old and the new certificate, during and after the overlap.
func TestCertificateRotationOverlap(t *testing.T) {
	clock := enginetest.NewClock()
	v := newEnv(t, func(c *engine.Config) { c.Now = clock.Now })
	ctx := context.Background()
	a := v.app("rotating")
	mint := func(cert string) string {
		t.Helper()
		tok, err := engine.MintToken(a.ID, cert, engine.Claims{Subject: "u1", IssuedAt: clock.Now(), ExpiresAt: clock.Now().Add(24 * time.Hour)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	connectCode := func(tok string) int64 {
		t.Helper()
		r := v.dial()
		defer r.ws.CloseNow()
		return r.call("connect", map[string]any{"token": tok}).code()
	}
	oldTok := mint(a.Certificate)
	cert2, err := v.e.RotateCertificate(ctx, a.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if cert2 == a.Certificate || len(cert2) != 64 {
		t.Fatalf("new certificate %q: want 64 new hex characters", cert2)
	}
	got, err := v.e.GetApp(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Certificate != cert2 || got.PreviousCertificate != a.Certificate {
		t.Fatalf("after rotation: current %q previous %q", got.Certificate, got.PreviousCertificate)
	}
	newTok := mint(cert2)
	if c := connectCode(oldTok); c != 0 {
		t.Fatalf("old certificate's token during the overlap: code %d, want 0", c)
	}
	if c := connectCode(newTok); c != 0 {
		t.Fatalf("new certificate's token: code %d, want 0", c)
	}
	if c := connectCode(mint("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")); c != int64(engine.CodeTokenSignature) {
		t.Fatalf("forged token during the overlap: code %d, want %d", c, engine.CodeTokenSignature)
	}
	clock.Advance(time.Hour)
	if c := connectCode(oldTok); c != int64(engine.CodeTokenSignature) {
		t.Fatalf("old certificate's token after the overlap: code %d, want %d", c, engine.CodeTokenSignature)
	}
	if c := connectCode(newTok); c != 0 {
		t.Fatalf("new certificate's token after the overlap: code %d, want 0", c)
	}

	// A second rotation with no overlap stops the current one at once and
	// the one before it for good.
	cert3, err := v.e.RotateCertificate(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := connectCode(newTok); c != int64(engine.CodeTokenSignature) {
		t.Fatalf("token of a certificate rotated with no overlap: code %d", c)
	}
	if c := connectCode(mint(cert3)); c != 0 {
		t.Fatalf("third certificate's token: code %d", c)
	}

	if _, err := v.e.RotateCertificate(ctx, "nope", time.Hour); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown app: %v, want ErrNotFound", err)
	}
	if _, err := v.e.RotateCertificate(ctx, a.ID, -time.Second); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("negative overlap: %v, want ErrInvalid", err)
	}
}

func TestRenameApp(t *testing.T) {
	v := newEnv(t, nil)
	ctx := context.Background()
	a := v.app("first")
	if err := v.e.RenameApp(ctx, a.ID, "  second  "); err != nil {
		t.Fatal(err)
	}
	got, err := v.e.GetApp(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "second" {
		t.Fatalf("name %q, want second", got.Name)
	}
	for _, tc := range []struct {
		id, name string
		want     error
	}{{a.ID, " ", engine.ErrInvalid}, {"nope", "x", engine.ErrNotFound}} {
		if err := v.e.RenameApp(ctx, tc.id, tc.name); !errors.Is(err, tc.want) {
			t.Errorf("RenameApp(%q, %q) = %v, want %v", tc.id, tc.name, err, tc.want)
		}
	}
}
