package forum

import (
	"errors"
	"testing"
)

// Demo accounts have no password: logging in as one is refused like any
// wrong password (not a server error), and an admin reset link gives the
// account a working password.
func TestDemoUsersCannotLogIn(t *testing.T) {
	f := newFixture(t)
	if err := f.s.Seed(f.ctx, SeedOptions{Demo: true}); err != nil {
		t.Fatal(err)
	}
	email := demoUsers[0].email
	for _, pw := range []string{"", "correct horse battery", noLoginHash} {
		if _, _, err := f.s.Login(f.ctx, email, pw, "192.0.2.1"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Login(demo user, %q): got %v, want ErrUnauthorized", pw, err)
		}
	}
	id, err := f.s.UserIDByEmail(f.ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	reset, err := f.s.IssuePasswordReset(f.as(f.user("admin", RoleAdmin)), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ResetPassword(f.ctx, reset.Token, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Login(f.ctx, email, "a brand new password", "192.0.2.2"); err != nil {
		t.Fatalf("login after reset: %v", err)
	}
}
