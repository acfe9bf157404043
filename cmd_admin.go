package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/forum"
)

// runAdmin implements "admin create --email E [--name N] [--password-stdin]
// [--promote]": it creates the forum's first (or another) admin account in
// dataDir's database. Without --password-stdin a strong password is
// generated and printed once. With --promote, an existing account with
// that e-mail is made an admin instead (its password is left alone).
func runAdmin(ctx context.Context, args []string, dataDir string, stdin io.Reader, stdout io.Writer) error {
	const usage = "usage: admin create --email EMAIL [--name NAME] [--password-stdin] [--promote] | admin plan -team NAME -plan ID"
	if len(args) > 0 && args[0] == "plan" { // cmd_admin_plan.go
		return runAdminPlan(ctx, args[1:], dataDir, stdout)
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of the admin")
	name := fs.String("name", "", "display name (default: the e-mail's local part)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	promote := fs.Bool("promote", false, "make an existing account with this e-mail an admin")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%s: %w", usage, err)
	}
	if *email == "" || fs.NArg() != 0 {
		return errors.New(usage)
	}
	if *name == "" {
		*name, _, _ = strings.Cut(*email, "@")
	}

	d, err := db.Open(ctx, filepath.Join(dataDir, db.FileName))
	if err != nil {
		return err
	}
	defer d.Close()
	store, err := forum.Open(ctx, d, forum.Config{})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Seed(ctx, forum.SeedOptions{}); err != nil {
		return err
	}

	if *promote {
		id, err := store.UserIDByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("no account with e-mail %s: %w", *email, err)
		}
		if err := store.SetRoleSystem(ctx, id, forum.RoleAdmin); err != nil {
			return fmt.Errorf("promote %s: %w", *email, err)
		}
		_, err = fmt.Fprintf(stdout, "%s is now an admin.\n", *email)
		return err
	}

	password, generated := "", false
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		if password, err = generatePassword(24); err != nil {
			return err
		}
		generated = true
	}
	u, err := store.CreateUser(ctx, forum.SignUp{Email: *email, Name: *name, Password: password}, forum.RoleAdmin)
	if errors.Is(err, forum.ErrConflict) {
		return fmt.Errorf("an account with e-mail %s already exists; add --promote to make it an admin", *email)
	}
	if e := forum.AsError(err); e != nil && errors.Is(err, forum.ErrInvalid) {
		return fmt.Errorf("invalid %s (%s): password %d–%d characters, display name at most %d", e.Field(), e.MessageID(),
			forum.PasswordMinLen, forum.PasswordMaxLen, forum.NameMaxLen)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created admin %s <%s> (@%s).\n", u.Name, u.Email, u.Username)
	if generated {
		fmt.Fprintf(stdout, "Password (shown only once, store it now): %s\n", password)
	}
	return nil
}

// generatePassword returns n characters drawn uniformly from 62 letters
// and digits (24 characters: about 143 bits).
func generatePassword(n int) (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}
