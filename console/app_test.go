package console_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/engine"
)

func TestAppLifecycle(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	team := must[console.Team](t)(v.s.CreateTeam(as(1), "Acme"))
	app, ea, err := v.s.CreateApp(as(1), console.NewApp{TeamID: team.ID, Name: "Chat"})
	if err != nil {
		t.Fatal(err)
	}
	if app.ID != ea.ID || app.Env != console.EnvProduction || ea.Certificate == "" || !strings.HasPrefix(ea.APIKey, engine.APIKeyPrefix) {
		t.Fatalf("created %+v / %+v", app, ea)
	}
	if _, _, err := v.s.CreateApp(as(1), console.NewApp{TeamID: team.ID, Name: "x", Env: "staging"}); !errors.Is(err, console.ErrInvalid) {
		t.Fatalf("unknown env: %v", err)
	}
	if err := v.s.RenameApp(as(1), app.ID, "Chat 2"); err != nil {
		t.Fatal(err)
	}
	if got := must[console.App](t)(v.s.App(as(1), app.ID)); got.Name != "Chat 2" {
		t.Fatalf("renamed app is %q", got.Name)
	}

	// Deletion waits for the grace period, and can be cancelled.
	at := must[time.Time](t)(v.s.ScheduleDelete(as(1), app.ID))
	if want := v.clock.Now().Add(console.DefaultDeleteGrace); at.Sub(want).Abs() > time.Millisecond {
		t.Fatalf("deletion at %v, want %v", at, want)
	}
	v.clock.Advance(console.DefaultDeleteGrace - time.Minute)
	if n := must[int](t)(v.s.PurgeDue(ctx)); n != 0 {
		t.Fatalf("purged %d apps before the grace period ended", n)
	}
	if err := v.s.CancelDelete(as(1), app.ID); err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(time.Hour)
	if n := must[int](t)(v.s.PurgeDue(ctx)); n != 0 {
		t.Fatalf("purged %d apps after the deletion was cancelled", n)
	}
	if _, err := v.s.ScheduleDelete(as(1), app.ID); err != nil {
		t.Fatal(err)
	}
	v.clock.Advance(console.DefaultDeleteGrace)
	if n := must[int](t)(v.s.PurgeDue(ctx)); n != 1 {
		t.Fatalf("purged %d apps, want 1", n)
	}
	if _, err := v.e.GetApp(ctx, app.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("engine app after purge: %v", err)
	}
	if _, err := v.s.App(as(1), app.ID); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("console app after purge: %v", err)
	}
}

func TestTransferNeedsOwnerOfBothTeams(t *testing.T) {
	v := newEnv(t)
	a := must[console.Team](t)(v.s.CreateTeam(as(1), "A"))
	b := must[console.Team](t)(v.s.CreateTeam(as(2), "B"))
	app, _, err := v.s.CreateApp(as(1), console.NewApp{TeamID: a.ID, Name: "moving"})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.s.TransferApp(as(1), app.ID, b.ID); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("transfer into a team alice is not in: %v", err)
	}
	inv := must[console.Invite](t)(v.s.Invite(as(2), b.ID, "alice", console.RoleDeveloper))
	if err := v.s.AnswerInvite(as(1), inv.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := v.s.TransferApp(as(1), app.ID, b.ID); !errors.Is(err, console.ErrForbidden) {
		t.Fatalf("transfer into a team where alice is a developer: %v", err)
	}
	if err := v.s.SetMemberRole(as(2), b.ID, 1, console.RoleOwner); err != nil {
		t.Fatal(err)
	}
	if err := v.s.TransferApp(as(1), app.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := must[console.App](t)(v.s.App(as(2), app.ID)); got.TeamID != b.ID {
		t.Fatalf("app's team %d, want %d", got.TeamID, b.ID)
	}
	if got := must[[]console.App](t)(v.s.Apps(as(1), a.ID)); len(got) != 0 {
		t.Fatalf("team A still lists %+v", got)
	}
}

func TestCredentials(t *testing.T) {
	v := newEnv(t)
	team := must[console.Team](t)(v.s.PersonalTeam(as(1)))
	app, ea, err := v.s.CreateApp(as(1), console.NewApp{TeamID: team.ID, Name: "creds"})
	if err != nil {
		t.Fatal(err)
	}
	if got := must[string](t)(v.s.Certificate(as(1), app.ID)); got != ea.Certificate {
		t.Fatal("revealed certificate differs from the created one")
	}
	if got := must[time.Time](t)(v.s.CertificateOverlap(as(1), app.ID)); !got.IsZero() {
		t.Fatalf("overlap before any rotation: %v", got)
	}
	c2 := must[string](t)(v.s.RotateCertificate(as(1), app.ID, time.Hour))
	if got := must[time.Time](t)(v.s.CertificateOverlap(as(1), app.ID)); got.Sub(v.clock.Now().Add(time.Hour)).Abs() > time.Millisecond {
		t.Fatalf("overlap ends %v, want in an hour", got)
	}
	for _, d := range []time.Duration{-time.Second, console.MaxOverlap + time.Second} {
		if _, err := v.s.RotateCertificate(as(1), app.ID, d); !errors.Is(err, console.ErrInvalid) {
			t.Errorf("overlap %v: %v", d, err)
		}
	}
	k2 := must[string](t)(v.s.RotateAPIKey(as(1), app.ID, time.Hour))
	keys := must[[]engine.APIKeyInfo](t)(v.s.APIKeys(as(1), app.ID))
	if len(keys) != 2 || !strings.HasPrefix(k2, keys[0].Prefix) {
		t.Fatalf("keys after rotation %+v", keys)
	}

	// The generator signs with the current certificate and the claims asked.
	tok := must[string](t)(v.s.MintToken(as(1), app.ID, console.TestToken{UserID: " u1 ", TTL: 10 * time.Minute,
		Subscribe: console.ParsePatterns("room.*, news"), Publish: console.ParsePatterns("")}))
	var claims jwt.MapClaims
	if _, err := jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) { return []byte(c2), nil },
		jwt.WithTimeFunc(v.clock.Now)); err != nil {
		t.Fatalf("token does not verify with the current certificate: %v", err)
	}
	if claims["sub"] != "u1" || claims["app"] != app.ID || claims["publish"] != nil {
		t.Fatalf("claims %v", claims)
	}
	if sub, _ := claims["subscribe"].([]any); len(sub) != 2 || sub[0] != "room.*" || sub[1] != "news" {
		t.Fatalf("subscribe claim %v", claims["subscribe"])
	}
	if exp, _ := claims.GetExpirationTime(); exp.Unix() != v.clock.Now().Add(10*time.Minute).Unix() {
		t.Fatalf("exp %v", exp)
	}
	for _, bad := range []console.TestToken{{UserID: "", TTL: time.Hour}, {UserID: "u", TTL: 0}, {UserID: "u", TTL: 25 * time.Hour}} {
		if _, err := v.s.MintToken(as(1), app.ID, bad); !errors.Is(err, console.ErrInvalid) {
			t.Errorf("MintToken(%+v): %v", bad, err)
		}
	}
}
