package forum

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is a user's single role. Roles are not ordered ranks: staff are the
// official responders, moderators keep order, admins may do everything.
type Role string

const (
	RoleMember    Role = "member"
	RoleStaff     Role = "staff"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Roles lists every role, for admin pages and tests.
var Roles = []Role{RoleMember, RoleStaff, RoleModerator, RoleAdmin}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleMember, RoleStaff, RoleModerator, RoleAdmin:
		return true
	}
	return false
}

// Official reports whether posts by this role carry the "Official" badge
// and count as official responses: the staff role only, as the SLA
// definition says.
func (r Role) Official() bool { return r == RoleStaff }

// Team reports whether the role belongs to the company's team (staff,
// moderators, admins), who may answer in staff-only categories, set
// priorities and mark topics as waiting for the asker.
func (r Role) Team() bool { return r == RoleStaff || r == RoleModerator || r == RoleAdmin }

// Languages the forum is written in.
const (
	LangEN = "en"
	LangZH = "zh"
)

func validLang(l string) bool { return l == LangEN || l == LangZH }

// User is a forum account. PasswordHash never leaves the package.
type User struct {
	ID             int64
	Email          string
	Username       string // the @mention handle, unique, derived from the name at sign-up
	Name           string
	Role           Role
	Lang           string
	Bio            string
	SuspendedUntil time.Time // zero: not suspended
	SuspendReason  string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// EmailVerifiedAt is when the user confirmed the address (zero: not
	// yet). Unverified accounts use the forum but cannot open tickets.
	EmailVerifiedAt time.Time
	// EmailNotifications: mentions and watched-topic replies are emailed.
	EmailNotifications bool

	passwordHash string
}

// Verified reports whether the user has confirmed the e-mail address.
func (u *User) Verified() bool { return u != nil && !u.EmailVerifiedAt.IsZero() }

// Suspended reports whether the user is suspended at now.
func (u *User) Suspended(now time.Time) bool {
	return u != nil && !u.SuspendedUntil.IsZero() && now.Before(u.SuspendedUntil)
}

// RoleEvent is one entry of a user's role history.
type RoleEvent struct {
	UserID  int64
	OldRole Role // empty for the initial role
	NewRole Role
	ActorID int64 // 0: the system (sign-up, admin CLI)
	At      time.Time
}

// Limits on account fields, in characters (runes).
const (
	PasswordMinLen = 10
	PasswordMaxLen = 256
	NameMaxLen     = 50
	BioMaxLen      = 2000
	EmailMaxLen    = 254
	UsernameMaxLen = 30
)

// SignUp is the input of Store.SignUp.
type SignUp struct {
	Email    string
	Name     string
	Password string
	Lang     string // en or zh; default en
}

// ProfileUpdate is the input of Store.UpdateProfile. Empty Name or Lang
// keep the current value; Bio is always replaced.
type ProfileUpdate struct {
	Name string
	Lang string
	Bio  string
}

func normalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > EmailMaxLen {
		return "", invalid("email", "forum.error.email_invalid", nil)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", invalid("email", "forum.error.email_invalid", nil)
	}
	return s, nil
}

func validateName(s string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", invalid("name", "forum.error.name_required", nil)
	}
	if n > NameMaxLen || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return "", invalid("name", "forum.error.name_too_long", map[string]any{"Max": NameMaxLen, "Count": NameMaxLen})
	}
	return s, nil
}

func validatePassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < PasswordMinLen {
		return invalid("password", "forum.error.password_too_short", map[string]any{"Min": PasswordMinLen, "Count": PasswordMinLen})
	}
	if n > PasswordMaxLen {
		return invalid("password", "forum.error.password_too_long", map[string]any{"Max": PasswordMaxLen, "Count": PasswordMaxLen})
	}
	return nil
}

// usernameBase turns a display name (or an e-mail's local part) into a
// mention handle: letters and digits of any script, '_', '-' and '.';
// spaces become '_'.
func usernameBase(name, email string) string {
	s := handleChars(name)
	if utf8.RuneCountInString(s) < 2 {
		local, _, _ := strings.Cut(email, "@")
		s = handleChars(local)
	}
	if utf8.RuneCountInString(s) < 2 {
		s = "user"
	}
	if r := []rune(s); len(r) > UsernameMaxLen-4 { // room for a numeric suffix
		s = string(r[:UsernameMaxLen-4])
	}
	return s
}

func handleChars(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsSpace(r) || r == '.':
			b.WriteRune('_')
		}
	}
	return strings.Trim(b.String(), "_-")
}

type ctxKey struct{}

// NewContext returns a context carrying the signed-in user (nil for an
// anonymous visitor). Store methods read the actor from it.
func NewContext(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// UserFromContext returns the signed-in user, or nil when anonymous.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(ctxKey{}).(*User)
	return u
}
