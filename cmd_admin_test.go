package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/forum"
)

func TestAdminCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	login := func(email, password string) (*forum.User, error) {
		d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		s, err := forum.Open(ctx, d, forum.Config{})
		if err != nil {
			t.Fatal(err)
		}
		_, u, err := s.Login(ctx, email, password, "127.0.0.1")
		return u, err
	}

	// Generated password, printed once.
	var out bytes.Buffer
	if err := runAdmin(ctx, []string{"create", "--email", "root@example.com", "--name", "Root"}, dir, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Password \(shown only once, store it now\): ([A-Za-z0-9]{24})\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output %q has no generated password", out.String())
	}
	u, err := login("root@example.com", m[1])
	if err != nil || u.Role != forum.RoleAdmin || u.Name != "Root" {
		t.Fatalf("login with the generated password: %+v %v", u, err)
	}

	// Password from stdin; the name defaults to the e-mail's local part.
	out.Reset()
	if err := runAdmin(ctx, []string{"create", "-email", "ops@example.com", "--password-stdin"}, dir, strings.NewReader("a good long password\n"), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Password") {
		t.Errorf("a password given on stdin was echoed: %q", out.String())
	}
	if u, err := login("ops@example.com", "a good long password"); err != nil || u.Name != "ops" {
		t.Fatalf("stdin password: %+v %v", u, err)
	}

	// Errors are clear.
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"create"}, "", "usage"},
		{[]string{"delete", "--email", "x@example.com"}, "", "usage"},
		{[]string{"create", "--email", "root@example.com"}, "", "--promote"},
		{[]string{"create", "--email", "short@example.com", "--password-stdin"}, "short\n", "password 10–256"},
		{[]string{"create", "--email", "not-an-email"}, "", "invalid email"},
		{[]string{"create", "--email", "nobody@example.com", "--promote"}, "", "no account"},
	} {
		err := runAdmin(ctx, tc.args, dir, strings.NewReader(tc.stdin), &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want it to mention %q", tc.args, err, tc.want)
		}
	}

	// --promote turns an existing member into an admin.
	d, _ := db.Open(ctx, filepath.Join(dir, db.FileName))
	s, _ := forum.Open(ctx, d, forum.Config{})
	if _, err := s.SignUp(ctx, forum.SignUp{Email: "member@example.com", Name: "Member", Password: "member password"}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := runAdmin(ctx, []string{"create", "--email", "member@example.com", "--promote"}, dir, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if u, err := login("member@example.com", "member password"); err != nil || u.Role != forum.RoleAdmin {
		t.Fatalf("promoted: %+v %v", u, err)
	}
	if _, err := login("member@example.com", "wrong password!"); !errors.Is(err, forum.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
}
