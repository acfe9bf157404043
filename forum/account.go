package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const qUserByID = `SELECT ` + userCols + ` FROM forum_users u WHERE u.id = ?`

const userCols = `u.id, u.email, u.username, u.name, u.password_hash, u.role, u.lang, u.bio,
	u.suspended_until, u.suspend_reason, u.created_at, u.updated_at, u.email_verified_at, u.email_notifications`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*User, error) {
	var u User
	var role string
	var susp, verified sql.NullInt64
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Email, &u.Username, &u.Name, &u.passwordHash, &role, &u.Lang, &u.Bio,
		&susp, &u.SuspendReason, &created, &updated, &verified, &u.EmailNotifications); err != nil {
		return nil, err
	}
	u.EmailVerifiedAt = nullMS(verified)
	u.Role = Role(role)
	u.SuspendedUntil = nullMS(susp)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

func findUserByID(ctx context.Context, tx *txn, id int64) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, qUserByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.user_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

func findUserByEmail(ctx context.Context, tx *txn, email string) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM forum_users u WHERE u.email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.user_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("find user by email: %w", err)
	}
	return u, nil
}

// SignUp creates a member account. It returns an ErrInvalid error for a
// bad e-mail, name or password and ErrConflict when the e-mail is taken.
// The address starts unverified (IssueEmailVerification, VerifyEmail).
func (s *Store) SignUp(ctx context.Context, in SignUp) (*User, error) {
	return s.createUser(ctx, in, RoleMember, true, false)
}

// CreateUser creates an account with the given role, without any
// permission check: it is for trusted callers only (the admin command,
// seeding), and the address counts as verified. Sign-ups from the web go
// through SignUp.
func (s *Store) CreateUser(ctx context.Context, in SignUp, role Role) (*User, error) {
	return s.createUser(ctx, in, role, true, true)
}

// noLoginHash marks an account that cannot log in with a password (the
// demo users): it is not a valid argon2id encoding, so nothing matches it.
// An admin-issued reset link gives such an account a real password.
const noLoginHash = "!no-login"

// createUser creates the account; without withPassword it gets no usable
// password, which spares the demo seed an argon2 hash (tens of
// milliseconds each) per user at first start.
func (s *Store) createUser(ctx context.Context, in SignUp, role Role, withPassword, verified bool) (*User, error) {
	if !role.Valid() {
		return nil, invalid("role", "forum.error.role_invalid", nil)
	}
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := validateName(in.Name)
	if err != nil {
		return nil, err
	}
	hash := noLoginHash
	if withPassword {
		if err := validatePassword(in.Password); err != nil {
			return nil, err
		}
	}
	lang := in.Lang
	if lang == "" {
		lang = LangEN
	}
	if !validLang(lang) {
		return nil, invalid("lang", "forum.error.lang_invalid", nil)
	}
	// Hash before the write transaction: argon2 takes tens of milliseconds
	// and must not hold the database's write lock.
	if withPassword {
		if hash, err = hashPassword(in.Password, s.cfg.Password); err != nil {
			return nil, err
		}
	}

	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := createUser(ctx, tx, email, name, hash, lang, role)
	if err != nil {
		return nil, err
	}
	if verified {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET email_verified_at = ? WHERE id = ?`, ms(tx.now), u.ID); err != nil {
			return nil, fmt.Errorf("create user: %w", err)
		}
		u.EmailVerifiedAt = tx.now
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, err
	}
	return u, nil
}

func createUser(ctx context.Context, tx *txn, email, name, hash, lang string, role Role) (*User, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_users WHERE email = ?`, email).Scan(&n); err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	if n > 0 {
		return nil, &Error{Kind: ErrConflict, FieldName: "email", ID: "forum.error.email_taken"}
	}
	username, err := freeUsername(ctx, tx, usernameBase(name, email))
	if err != nil {
		return nil, err
	}
	now := ms(tx.now)
	res, err := tx.ExecContext(ctx, `INSERT INTO forum_users (email, username, name, password_hash, role, lang, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, email, username, name, hash, string(role), lang, now, now)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_role_events (user_id, old_role, new_role, actor_id, at) VALUES (?, '', ?, NULL, ?)`,
		id, string(role), now); err != nil {
		return nil, fmt.Errorf("create user: role event: %w", err)
	}
	return findUserByID(ctx, tx, id)
}

// freeUsername returns base, or base followed by the smallest free number.
func freeUsername(ctx context.Context, tx *txn, base string) (string, error) {
	for i := 1; i < 10000; i++ {
		cand := base
		if i > 1 {
			cand = base + strconv.Itoa(i)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_users WHERE username = ?`, cand).Scan(&n); err != nil {
			return "", fmt.Errorf("username: %w", err)
		}
		if n == 0 {
			return cand, nil
		}
	}
	return "", conflict("forum.error.username_taken")
}

// Login checks an e-mail and password and starts a session. ip is the
// client address used for throttling. It returns ErrRateLimited (with
// RetryAfter) when the IP or the account made too many failed attempts,
// ErrUnauthorized for a wrong e-mail or password (the same error for
// both), and ErrForbidden for a suspended account.
func (s *Store) Login(ctx context.Context, email, password, ip string) (*Session, *User, error) {
	email = strings.TrimSpace(email)
	at, wait, allowed := s.throttle.attempt(ip, email)
	if !allowed {
		return nil, nil, rateLimited("forum.error.login_throttled", wait, false, nil)
	}
	// The password check (argon2, tens of milliseconds) runs outside any
	// transaction so that it never holds the write lock.
	rtx, err := s.read(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := findUserByEmail(ctx, rtx, email)
	rtx.Rollback()
	badLogin := unauthorized("forum.error.bad_login")
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check, so response times do not
		// reveal which e-mails have accounts.
		checkPassword(password, s.dummyHash())
		s.throttle.failed(email)
		return nil, nil, badLogin
	} else if err != nil {
		return nil, nil, err
	}
	if u.passwordHash == noLoginHash {
		checkPassword(password, s.dummyHash()) // same time as a real check
		s.throttle.failed(email)
		return nil, nil, badLogin
	}
	ok, err := checkPassword(password, u.passwordHash)
	if err != nil {
		return nil, nil, fmt.Errorf("login user %d: %w", u.ID, err)
	}
	if !ok {
		s.throttle.failed(email)
		return nil, nil, badLogin
	}
	if u.Suspended(s.now()) {
		return nil, nil, &Error{Kind: ErrForbidden, ID: "forum.error.suspended_until",
			Data: map[string]any{"Until": u.SuspendedUntil.Format(time.DateOnly)}}
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	sess, err := createSession(ctx, tx, u.ID, s.cfg.SessionTTL)
	if err != nil {
		return nil, nil, err
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, nil, err
	}
	s.throttle.succeeded(ip, email, at)
	return sess, u, nil
}

// dummyHash is a valid hash of a random password with the configured
// parameters, computed once.
func (s *Store) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = hashPassword(randomToken(), s.cfg.Password)
	})
	return s.dummy
}

// FindUser returns a user by ID, or ErrNotFound.
func (s *Store) FindUser(ctx context.Context, id int64) (*User, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUserByID(ctx, tx, id)
}

// FindUserByUsername returns a user by @handle, or ErrNotFound.
func (s *Store) FindUserByUsername(ctx context.Context, username string) (*User, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM forum_users u WHERE u.username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("forum.error.user_not_found")
	}
	return u, err
}

// UpdateProfile changes a user's name, language and bio. Users edit their
// own profile; admins may edit anyone's.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, in ProfileUpdate) (*User, error) {
	tx, actor, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.check(actor, ActionEditProfile, Resource{OwnerID: userID}, tx.now); err != nil {
		return nil, err
	}
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		if u.Name, err = validateName(in.Name); err != nil {
			return nil, err
		}
	}
	if in.Lang != "" {
		if !validLang(in.Lang) {
			return nil, invalid("lang", "forum.error.lang_invalid", nil)
		}
		u.Lang = in.Lang
	}
	bio := strings.TrimSpace(in.Bio)
	if n := len([]rune(bio)); n > BioMaxLen {
		return nil, invalid("bio", "forum.error.bio_too_long", map[string]any{"Max": BioMaxLen, "Count": BioMaxLen})
	}
	u.Bio = bio
	if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET name = ?, lang = ?, bio = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.Lang, u.Bio, ms(tx.now), u.ID); err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, err
	}
	return u, nil
}

// SetRole gives a user a new role and logs the change with its time, so
// the SLA clock can tell which role a user held when they replied. Only
// admins may do it, and not to themselves.
func (s *Store) SetRole(ctx context.Context, userID int64, role Role) (*User, error) {
	var target *User
	err := s.userAction(ctx, userID, ActionSetRole, func(tx *txn, actor, u *User) error {
		if !role.Valid() {
			return invalid("role", "forum.error.role_invalid", nil)
		}
		target = u
		return setRole(ctx, tx, u, role, actor.ID)
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// userAction runs fn in a write transaction after loading the actor and
// the user acted on, and checking that the actor may perform a on them;
// it commits when fn succeeds.
func (s *Store) userAction(ctx context.Context, userID int64, a Action, fn func(tx *txn, actor, u *User) error) error {
	tx, actor, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return err
	}
	if err := s.check(actor, a, Resource{OwnerID: userID, TargetRole: u.Role}, tx.now); err != nil {
		return err
	}
	if err := fn(tx, actor, u); err != nil {
		return err
	}
	return s.commit(ctx, tx)
}

func setRole(ctx context.Context, tx *txn, u *User, role Role, actorID int64) error {
	if u.Role == role {
		return nil
	}
	now := ms(tx.now)
	if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET role = ?, updated_at = ? WHERE id = ?`, string(role), now, u.ID); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_role_events (user_id, old_role, new_role, actor_id, at) VALUES (?, ?, ?, ?, ?)`,
		u.ID, string(u.Role), string(role), nullID(actorID), now); err != nil {
		return fmt.Errorf("set role: log: %w", err)
	}
	u.Role = role
	return nil
}

// SetRoleSystem sets a role without a permission check, for the admin
// command. The change is logged with no actor.
func (s *Store) SetRoleSystem(ctx context.Context, userID int64, role Role) error {
	if !role.Valid() {
		return invalid("role", "forum.error.role_invalid", nil)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return err
	}
	if err := setRole(ctx, tx, u, role, 0); err != nil {
		return err
	}
	return s.commit(ctx, tx)
}

// RoleHistory returns a user's role changes, oldest first; the first entry
// is the role given at sign-up.
func (s *Store) RoleHistory(ctx context.Context, userID int64) ([]RoleEvent, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT user_id, old_role, new_role, coalesce(actor_id, 0), at
		FROM forum_role_events WHERE user_id = ? ORDER BY at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("role history: %w", err)
	}
	defer rows.Close()
	var out []RoleEvent
	for rows.Next() {
		var e RoleEvent
		var oldRole, newRole string
		var at int64
		if err := rows.Scan(&e.UserID, &oldRole, &newRole, &e.ActorID, &at); err != nil {
			return nil, fmt.Errorf("role history: %w", err)
		}
		e.OldRole, e.NewRole, e.At = Role(oldRole), Role(newRole), fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RoleAt returns the role a user held at time at (their sign-up role for
// earlier times).
func (s *Store) RoleAt(ctx context.Context, userID int64, at time.Time) (Role, error) {
	hist, err := s.RoleHistory(ctx, userID)
	if err != nil {
		return "", err
	}
	if len(hist) == 0 {
		return "", notFound("forum.error.user_not_found")
	}
	role := hist[0].NewRole
	for _, e := range hist {
		if e.At.After(at) {
			break
		}
		role = e.NewRole
	}
	return role, nil
}

// Suspend stops a user from posting, voting or flagging until the given
// time and ends their sessions. Moderators may suspend members; admins
// anyone but admins.
func (s *Store) Suspend(ctx context.Context, userID int64, until time.Time, reason string) error {
	return s.userAction(ctx, userID, ActionSuspend, func(tx *txn, _, _ *User) error {
		if !until.After(tx.now) {
			return invalid("until", "forum.error.suspend_until_past", nil)
		}
		reason = strings.TrimSpace(reason)
		if len([]rune(reason)) > 500 {
			return invalid("reason", "forum.error.reason_too_long", map[string]any{"Max": 500, "Count": 500})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET suspended_until = ?, suspend_reason = ?, updated_at = ? WHERE id = ?`,
			ms(until), reason, ms(tx.now), userID); err != nil {
			return fmt.Errorf("suspend: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM forum_sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("suspend: end sessions: %w", err)
		}
		return nil
	})
}

// Unsuspend lifts a suspension (same permission as Suspend).
func (s *Store) Unsuspend(ctx context.Context, userID int64) error {
	return s.userAction(ctx, userID, ActionSuspend, func(tx *txn, _, _ *User) error {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET suspended_until = NULL, suspend_reason = '', updated_at = ? WHERE id = ?`,
			ms(tx.now), userID); err != nil {
			return fmt.Errorf("unsuspend: %w", err)
		}
		return nil
	})
}

// UserFilter selects users for the admin pages.
type UserFilter struct {
	Query   string // matches e-mail, name or username (substring)
	Role    Role   // empty: any
	Page    int    // 1-based
	PerPage int    // default 50, at most 200
}

// ListUsers returns users for the admin pages (admins and moderators).
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	actor, err := s.actor(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	if err := s.check(actor, ActionListUsers, Resource{}, tx.now); err != nil {
		return nil, 0, err
	}
	page, per := pageBounds(f.Page, f.PerPage, 50, 200)
	where, args := []string{"1=1"}, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `(u.email LIKE ? ESCAPE '\' OR u.name LIKE ? ESCAPE '\' OR u.username LIKE ? ESCAPE '\')`)
		p := "%" + likeEscape(q) + "%"
		args = append(args, p, p, p)
	}
	if f.Role != "" {
		where = append(where, "u.role = ?")
		args = append(args, string(f.Role))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_users u WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+userCols+` FROM forum_users u WHERE `+w+` ORDER BY u.id LIMIT ? OFFSET ?`,
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// pageBounds clamps a 1-based page and a page size.
func pageBounds(page, per, def, max int) (int, int) {
	if page < 1 {
		page = 1
	}
	if page > 10000 {
		page = 10000
	}
	if per <= 0 {
		per = def
	}
	if per > max {
		per = max
	}
	return page, per
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UserIDByEmail returns the ID of the account with this e-mail
// (case-insensitive), or ErrNotFound. It is for trusted callers (the admin
// command); it does not check permissions.
func (s *Store) UserIDByEmail(ctx context.Context, email string) (int64, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	u, err := findUserByEmail(ctx, tx, strings.TrimSpace(email))
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}
