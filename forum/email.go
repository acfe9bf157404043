package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SelfResetTTL is how long a reset link the user asked for stays valid.
const SelfResetTTL = time.Hour

// VerifyTTL is how long an address-verification link stays valid.
const VerifyTTL = 48 * time.Hour

// resetEvery is the least time between two self-service reset emails to
// one address, so a stranger cannot flood a mailbox.
const resetEvery = time.Minute

// RequestPasswordReset is "Forgot password?": it issues a one-time reset
// token valid for SelfResetTTL to the account with that address. It
// returns nil, nil, nil when there is no such account, when the account
// is suspended, or when a link was issued less than a minute ago; callers
// answer the same in every case, so the form reveals no address.
func (s *Store) RequestPasswordReset(ctx context.Context, email string) (*PasswordReset, *User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, nil, nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM forum_users u WHERE u.email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("request reset: %w", err)
	}
	if u.Suspended(tx.now) {
		return nil, nil, nil
	}
	var recent int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_password_resets WHERE user_id = ? AND created_at > ? AND used_at IS NULL`,
		u.ID, ms(tx.now.Add(-resetEvery))).Scan(&recent); err != nil {
		return nil, nil, fmt.Errorf("request reset: %w", err)
	}
	if recent > 0 {
		return nil, nil, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_password_resets WHERE user_id = ?`, u.ID); err != nil {
		return nil, nil, fmt.Errorf("request reset: %w", err)
	}
	token := randomToken()
	exp := tx.now.Add(SelfResetTTL)
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_password_resets (token_hash, user_id, created_by, created_at, expires_at)
		VALUES (?, ?, NULL, ?, ?)`, tokenHash(token), u.ID, ms(tx.now), ms(exp)); err != nil {
		return nil, nil, fmt.Errorf("request reset: %w", err)
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, nil, err
	}
	return &PasswordReset{Token: token, UserID: u.ID, ExpiresAt: exp}, u, nil
}

// IssueEmailVerification returns a new verification token for the user's
// address, valid for VerifyTTL; earlier ones stop working. It returns ""
// for an address already verified.
func (s *Store) IssueEmailVerification(ctx context.Context, userID int64) (string, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return "", err
	}
	if u.Verified() {
		return "", nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_email_verifications WHERE user_id = ?`, userID); err != nil {
		return "", fmt.Errorf("issue verification: %w", err)
	}
	token := randomToken()
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_email_verifications (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash(token), userID, ms(tx.now), ms(tx.now.Add(VerifyTTL))); err != nil {
		return "", fmt.Errorf("issue verification: %w", err)
	}
	return token, s.commit(ctx, tx)
}

// VerifyEmail marks the address of the token's user verified, once. An
// unknown, used or expired token gives an ErrInvalid error.
func (s *Store) VerifyEmail(ctx context.Context, token string) (*User, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var userID, exp int64
	err = tx.QueryRowContext(ctx, `SELECT user_id, expires_at FROM forum_email_verifications WHERE token_hash = ?`, tokenHash(token)).Scan(&userID, &exp)
	if errors.Is(err, sql.ErrNoRows) || err == nil && exp <= ms(tx.now) {
		return nil, invalid("token", "forum.error.verify_token_invalid", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("verify email: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_email_verifications WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("verify email: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET email_verified_at = ?, updated_at = ? WHERE id = ?`, ms(tx.now), ms(tx.now), userID); err != nil {
		return nil, fmt.Errorf("verify email: %w", err)
	}
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	return u, s.commit(ctx, tx)
}

// MailToken returns the user's unsubscribe token, creating it on first
// use. It only turns emails off, so it is stored as it is.
func (s *Store) MailToken(ctx context.Context, userID int64) (string, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var tok sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT mail_token FROM forum_users WHERE id = ?`, userID).Scan(&tok); errors.Is(err, sql.ErrNoRows) {
		return "", notFound("forum.error.user_not_found")
	} else if err != nil {
		return "", fmt.Errorf("mail token: %w", err)
	}
	if tok.Valid {
		return tok.String, nil
	}
	t := randomToken()
	if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET mail_token = ? WHERE id = ?`, t, userID); err != nil {
		return "", fmt.Errorf("mail token: %w", err)
	}
	return t, s.commit(ctx, tx)
}

// Unsubscribe turns notification emails off for the user whose mail
// token it is (an unsubscribe link needs no sign-in). An unknown token
// gives an ErrInvalid error.
func (s *Store) Unsubscribe(ctx context.Context, token string) (*User, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE forum_users SET email_notifications = 0 WHERE mail_token = ?`, token)
	if err != nil {
		return nil, fmt.Errorf("unsubscribe: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 || token == "" {
		return nil, invalid("token", "forum.error.unsubscribe_token_invalid", nil)
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM forum_users u WHERE u.mail_token = ?`, token))
	if err != nil {
		return nil, fmt.Errorf("unsubscribe: %w", err)
	}
	return u, s.commit(ctx, tx)
}

// SetEmailNotifications turns the signed-in user's notification emails on
// or off.
func (s *Store) SetEmailNotifications(ctx context.Context, on bool) error {
	u := UserFromContext(ctx)
	if u == nil || u.ID == 0 {
		return unauthorized("forum.error.login_required")
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE forum_users SET email_notifications = ? WHERE id = ?`, on, u.ID); err != nil {
		return fmt.Errorf("email notifications: %w", err)
	}
	return nil
}
