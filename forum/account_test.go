package forum

import (
	"strings"
	"testing"
	"time"
)

func TestSignUpValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		in    SignUp
		field string
		msg   string
	}{
		{"bad email", SignUp{Email: "nope", Name: "A", Password: "0123456789"}, "email", "forum.error.email_invalid"},
		{"email with display name", SignUp{Email: "A <a@example.com>", Name: "A", Password: "0123456789"}, "email", "forum.error.email_invalid"},
		{"no name", SignUp{Email: "a@example.com", Name: "  ", Password: "0123456789"}, "name", "forum.error.name_required"},
		{"name too long", SignUp{Email: "a@example.com", Name: strings.Repeat("名", NameMaxLen+1), Password: "0123456789"}, "name", "forum.error.name_too_long"},
		{"password 9", SignUp{Email: "a@example.com", Name: "A", Password: "012345678"}, "password", "forum.error.password_too_short"},
		{"password 257", SignUp{Email: "a@example.com", Name: "A", Password: strings.Repeat("x", 257)}, "password", "forum.error.password_too_long"},
		{"bad lang", SignUp{Email: "a@example.com", Name: "A", Password: "0123456789", Lang: "fr"}, "lang", "forum.error.lang_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.SignUp(f.ctx, tt.in)
			e := wantErr(t, err, ErrInvalid)
			if e.Field() != tt.field || e.MessageID() != tt.msg {
				t.Errorf("got field %q message %q, want %q %q", e.Field(), e.MessageID(), tt.field, tt.msg)
			}
		})
	}
	// The bounds themselves are accepted: 10 and 256 characters (runes).
	for i, pw := range []string{"密码密码密码密码密码", strings.Repeat("p", 256)} {
		if _, err := f.s.SignUp(f.ctx, SignUp{Email: "ok" + string(rune('a'+i)) + "@example.com", Name: "Ok", Password: pw}); err != nil {
			t.Errorf("password of %d runes: %v", len([]rune(pw)), err)
		}
	}
}

func TestSignUpLoginLogout(t *testing.T) {
	f := newFixture(t)
	u, err := f.s.SignUp(f.ctx, SignUp{Email: "Li.Wei@Example.com", Name: "李伟", Password: "a long password", Lang: LangZH})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != RoleMember || u.Lang != LangZH || u.Username != "李伟" {
		t.Errorf("got role %q lang %q username %q, want member zh 李伟", u.Role, u.Lang, u.Username)
	}
	if _, err := f.s.SignUp(f.ctx, SignUp{Email: "li.wei@example.com", Name: "Other", Password: "a long password"}); err == nil {
		t.Fatal("same e-mail in another case: got nil error")
	} else if e := wantErr(t, err, ErrConflict); e.MessageID() != "forum.error.email_taken" {
		t.Errorf("message %q", e.MessageID())
	}
	// A second 李伟 gets a distinct handle.
	u2, err := f.s.SignUp(f.ctx, SignUp{Email: "li2@example.com", Name: "李伟", Password: "a long password"})
	if err != nil || u2.Username != "李伟2" {
		t.Fatalf("second 李伟: username %q, err %v; want 李伟2", u2.Username, err)
	}

	_, _, err = f.s.Login(f.ctx, "li.wei@example.com", "wrong password", "10.0.0.1")
	if e := wantErr(t, err, ErrUnauthorized); e.MessageID() != "forum.error.bad_login" {
		t.Errorf("wrong password message %q", e.MessageID())
	}
	_, _, err = f.s.Login(f.ctx, "nobody@example.com", "a long password", "10.0.0.1")
	if e := wantErr(t, err, ErrUnauthorized); e.MessageID() != "forum.error.bad_login" {
		t.Errorf("unknown e-mail message %q (must match the wrong-password one)", e.MessageID())
	}

	sess, got, err := f.s.Login(f.ctx, "LI.WEI@example.com", "a long password", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || len(sess.Token) < 40 {
		t.Fatalf("login: user %d token %q", got.ID, sess.Token)
	}
	// Only the hash is stored.
	var n int
	f.s.db.QueryRow(`SELECT count(*) FROM forum_sessions WHERE id_hash = ? OR id_hash = ?`, sess.Token, []byte(sess.Token)).Scan(&n)
	if n != 0 {
		t.Error("the raw session token is stored in the database")
	}
	au, err := f.s.Authenticate(f.ctx, sess.Token)
	if err != nil || au.ID != u.ID {
		t.Fatalf("authenticate: %v %v", au, err)
	}
	if _, err := f.s.Authenticate(f.ctx, sess.Token+"x"); err == nil {
		t.Error("tampered token accepted")
	}
	if err := f.s.Logout(f.ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Authenticate(f.ctx, sess.Token)
	wantErr(t, err, ErrUnauthorized)

	// Sessions expire.
	sess, _, err = f.s.Login(f.ctx, "li.wei@example.com", "a long password", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30*24*time.Hour + time.Second)
	_, err = f.s.Authenticate(f.ctx, sess.Token)
	wantErr(t, err, ErrUnauthorized)
}

func TestSuspendedCannotLogIn(t *testing.T) {
	f := newFixture(t)
	mod := f.user("mod", RoleModerator)
	m := f.user("member", RoleMember)
	sess, _, err := f.s.Login(f.ctx, "member@example.com", "correct horse battery", "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Suspend(f.as(mod), m.ID, f.clock.Now().Add(48*time.Hour), "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(f.ctx, sess.Token); err == nil {
		t.Error("session of a suspended user still valid")
	}
	_, _, err = f.s.Login(f.ctx, "member@example.com", "correct horse battery", "1.1.1.1")
	if e := wantErr(t, err, ErrForbidden); e.MessageID() != "forum.error.suspended_until" {
		t.Errorf("message %q", e.MessageID())
	}
	f.clock.Advance(49 * time.Hour)
	if _, _, err := f.s.Login(f.ctx, "member@example.com", "correct horse battery", "1.1.1.1"); err != nil {
		t.Errorf("after the suspension ended: %v", err)
	}
	// A moderator cannot suspend an admin, nor another moderator.
	admin := f.user("admin", RoleAdmin)
	mod2 := f.user("mod2", RoleModerator)
	for _, target := range []*User{admin, mod2} {
		err := f.s.Suspend(f.as(mod), target.ID, f.clock.Now().Add(time.Hour), "")
		wantErr(t, err, ErrForbidden)
	}
}

func TestRoleHistory(t *testing.T) {
	f := newFixture(t)
	admin := f.user("admin", RoleAdmin)
	u := f.user("eng", RoleMember)
	t0 := f.clock.Now()
	f.clock.Advance(time.Hour)
	if _, err := f.s.SetRole(f.as(admin), u.ID, RoleStaff); err != nil {
		t.Fatal(err)
	}
	t1 := f.clock.Now()
	f.clock.Advance(time.Hour)
	if _, err := f.s.SetRole(f.as(admin), u.ID, RoleMember); err != nil {
		t.Fatal(err)
	}
	hist, err := f.s.RoleHistory(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[1].NewRole != RoleStaff || hist[1].ActorID != admin.ID || !hist[1].At.Equal(t1) {
		t.Fatalf("history = %+v", hist)
	}
	for _, tt := range []struct {
		at   time.Time
		want Role
	}{{t0, RoleMember}, {t1, RoleStaff}, {t1.Add(30 * time.Minute), RoleStaff}, {f.clock.Now(), RoleMember}} {
		if got, _ := f.s.RoleAt(f.ctx, u.ID, tt.at); got != tt.want {
			t.Errorf("RoleAt(%s) = %q, want %q", tt.at, got, tt.want)
		}
	}
	// Members cannot grant roles; admins cannot change their own.
	_, err = f.s.SetRole(f.as(u), u.ID, RoleAdmin)
	wantErr(t, err, ErrForbidden)
	_, err = f.s.SetRole(f.as(admin), admin.ID, RoleMember)
	wantErr(t, err, ErrForbidden)
}

func TestPasswordReset(t *testing.T) {
	f := newFixture(t)
	admin := f.user("admin", RoleAdmin)
	u := f.user("forgetful", RoleMember)
	_, err := f.s.IssuePasswordReset(f.as(u), u.ID)
	wantErr(t, err, ErrForbidden)
	r, err := f.s.IssuePasswordReset(f.as(admin), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := f.s.Login(f.ctx, "forgetful@example.com", "correct horse battery", "2.2.2.2")
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.s.ResetPassword(f.ctx, r.Token, "short"), ErrInvalid)
	if err := f.s.ResetPassword(f.ctx, r.Token, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(f.ctx, sess.Token); err == nil {
		t.Error("old session survived a password reset")
	}
	if _, _, err := f.s.Login(f.ctx, "forgetful@example.com", "a brand new password", "2.2.2.2"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	e := wantErr(t, f.s.ResetPassword(f.ctx, r.Token, "another new password"), ErrInvalid)
	if e.MessageID() != "forum.error.reset_token_invalid" {
		t.Errorf("reused token message %q", e.MessageID())
	}
	r2, err := f.s.IssuePasswordReset(f.as(admin), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(25 * time.Hour)
	wantErr(t, f.s.ResetPassword(f.ctx, r2.Token, "another new password"), ErrInvalid)
}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse", DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not PHC argon2id with the default parameters", h)
	}
	if ok, err := checkPassword("correct horse", h); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := checkPassword("correct hors", h); ok {
		t.Error("wrong password accepted")
	}
	h2, _ := hashPassword("correct horse", DefaultPasswordParams)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA"} {
		if _, err := checkPassword("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
