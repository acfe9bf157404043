package forum

import (
	"testing"
	"time"
)

func TestRequestPasswordReset(t *testing.T) {
	f := newFixture(t)
	u := f.user("Ana", RoleMember)
	t.Run("an unknown address gets nothing, without an error", func(t *testing.T) {
		r, ru, err := f.s.RequestPasswordReset(f.ctx, "nobody@example.com")
		if r != nil || ru != nil || err != nil {
			t.Fatalf("got %v %v %v, want nothing", r, ru, err)
		}
	})
	r, ru, err := f.s.RequestPasswordReset(f.ctx, "ANA@example.com")
	if err != nil || r == nil || ru.ID != u.ID {
		t.Fatalf("got %v %v %v, want a token for Ana", r, ru, err)
	}
	if got, want := r.ExpiresAt.Sub(f.clock.Now()), time.Hour; got != want {
		t.Errorf("valid for %v, want %v", got, want)
	}
	t.Run("a second request within a minute sends nothing", func(t *testing.T) {
		if again, _, err := f.s.RequestPasswordReset(f.ctx, u.Email); again != nil || err != nil {
			t.Fatalf("got %v %v, want nothing", again, err)
		}
	})
	t.Run("the link works once", func(t *testing.T) {
		if err := f.s.ResetPassword(f.ctx, r.Token, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.s.ResetPassword(f.ctx, r.Token, "another new password"), ErrInvalid)
		if _, _, err := f.s.Login(f.ctx, u.Email, "a brand new password", "192.0.2.1"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
	})
	t.Run("a link is dead after one hour", func(t *testing.T) {
		f.clock.Advance(2 * time.Minute)
		r, _, err := f.s.RequestPasswordReset(f.ctx, u.Email)
		if err != nil || r == nil {
			t.Fatalf("got %v %v", r, err)
		}
		f.clock.Advance(time.Hour)
		wantErr(t, f.s.ResetPassword(f.ctx, r.Token, "too late password"), ErrInvalid)
	})
	t.Run("a suspended account gets nothing", func(t *testing.T) {
		f.clock.Advance(2 * time.Minute)
		admin := f.user("Root", RoleAdmin)
		if err := f.s.Suspend(f.as(admin), u.ID, f.clock.Now().Add(24*time.Hour), "spam"); err != nil {
			t.Fatal(err)
		}
		if r, _, err := f.s.RequestPasswordReset(f.ctx, u.Email); r != nil || err != nil {
			t.Fatalf("got %v %v, want nothing", r, err)
		}
	})
}

func TestEmailVerification(t *testing.T) {
	f := newFixture(t)
	if admin := f.user("Admin", RoleAdmin); !admin.Verified() {
		t.Error("an account an admin or the seed creates should count as verified")
	}
	u, err := f.s.SignUp(f.ctx, SignUp{Email: "bo@example.com", Name: "Bo", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Verified() {
		t.Fatal("a sign-up is verified before confirming")
	}
	old, err := f.s.IssueEmailVerification(f.ctx, u.ID)
	if err != nil || old == "" {
		t.Fatalf("issue: %q %v", old, err)
	}
	tok, err := f.s.IssueEmailVerification(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, func() error { _, err := f.s.VerifyEmail(f.ctx, old); return err }(), ErrInvalid) // replaced
	got, err := f.s.VerifyEmail(f.ctx, tok)
	if err != nil || !got.Verified() {
		t.Fatalf("verify: %+v %v", got, err)
	}
	again, err := f.s.FindUser(f.ctx, u.ID)
	if err != nil || !again.Verified() {
		t.Fatalf("stored: %+v %v", again, err)
	}
	wantErr(t, func() error { _, err := f.s.VerifyEmail(f.ctx, tok); return err }(), ErrInvalid) // used
	if tok, err := f.s.IssueEmailVerification(f.ctx, u.ID); tok != "" || err != nil {
		t.Errorf("a verified address got a new token %q (%v)", tok, err)
	}
	t.Run("expired after 48 hours", func(t *testing.T) {
		v, err := f.s.SignUp(f.ctx, SignUp{Email: "cy@example.com", Name: "Cy", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := f.s.IssueEmailVerification(f.ctx, v.ID)
		f.clock.Advance(VerifyTTL)
		wantErr(t, func() error { _, err := f.s.VerifyEmail(f.ctx, tok); return err }(), ErrInvalid)
	})
}

func TestUnsubscribe(t *testing.T) {
	f := newFixture(t)
	u := f.user("Dee", RoleMember)
	if !u.EmailNotifications {
		t.Fatal("notification emails are off by default")
	}
	tok, err := f.s.MailToken(f.ctx, u.ID)
	if err != nil || tok == "" {
		t.Fatal(tok, err)
	}
	if again, _ := f.s.MailToken(f.ctx, u.ID); again != tok {
		t.Errorf("token changed: %q then %q", tok, again)
	}
	got, err := f.s.Unsubscribe(f.ctx, tok)
	if err != nil || got.ID != u.ID || got.EmailNotifications {
		t.Fatalf("unsubscribe: %+v %v", got, err)
	}
	wantErr(t, func() error { _, err := f.s.Unsubscribe(f.ctx, "forged"); return err }(), ErrInvalid)
	wantErr(t, func() error { _, err := f.s.Unsubscribe(f.ctx, ""); return err }(), ErrInvalid)
	if err := f.s.SetEmailNotifications(f.as(got), true); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.s.FindUser(f.ctx, u.ID); !u.EmailNotifications {
		t.Error("turned back on, still off")
	}
}
