package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Session is a server-side login. Token is the cookie value: 32 random
// bytes, base64url-encoded. Only its SHA-256 is stored, so a copy of the
// database does not let anyone sign in.
type Session struct {
	Token     string // only set when the session is created
	UserID    int64
	ExpiresAt time.Time
}

// randomToken returns 32 random bytes, base64url-encoded without padding.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("forum: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash hashes a token as presented by a client. Malformed tokens hash
// like any other string and simply match nothing.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func createSession(ctx context.Context, tx *txn, userID int64, ttl time.Duration) (*Session, error) {
	token := randomToken()
	exp := tx.now.Add(ttl)
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash(token), userID, ms(tx.now), ms(exp)); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	// Housekeeping: drop this user's expired sessions.
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_sessions WHERE user_id = ? AND expires_at <= ?`, userID, ms(tx.now)); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return &Session{Token: token, UserID: userID, ExpiresAt: exp}, nil
}

const qSession = `SELECT ` + userCols + ` FROM forum_sessions s JOIN forum_users u ON u.id = s.user_id
	WHERE s.id_hash = ? AND s.expires_at > ?`

// Authenticate returns the user of a live session. It returns
// ErrUnauthorized for an unknown, expired or empty token.
func (s *Store) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, unauthorized("forum.error.login_required")
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, qSession, tokenHash(token), ms(tx.now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauthorized("forum.error.login_required")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return u, nil
}

// Logout ends the session with this token. Ending an unknown session is
// not an error.
func (s *Store) Logout(ctx context.Context, token string) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_sessions WHERE id_hash = ?`, tokenHash(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return s.commit(ctx, tx)
}
