package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PasswordReset is a one-time link token issued by an admin. Token is
// shown once; only its hash is stored.
type PasswordReset struct {
	Token     string
	UserID    int64
	ExpiresAt time.Time
}

// IssuePasswordReset creates a one-time reset token for a user (admins
// only). Earlier unused tokens for that user stop working.
func (s *Store) IssuePasswordReset(ctx context.Context, userID int64) (*PasswordReset, error) {
	tx, actor, err := s.beginAs(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.check(actor, ActionIssueReset, Resource{OwnerID: userID}, tx.now); err != nil {
		return nil, err
	}
	if _, err := findUserByID(ctx, tx, userID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_password_resets WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("issue reset: %w", err)
	}
	token := randomToken()
	exp := tx.now.Add(s.cfg.ResetTTL)
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_password_resets (token_hash, user_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, tokenHash(token), userID, actor.ID, ms(tx.now), ms(exp)); err != nil {
		return nil, fmt.Errorf("issue reset: %w", err)
	}
	if err := s.commit(ctx, tx); err != nil {
		return nil, err
	}
	return &PasswordReset{Token: token, UserID: userID, ExpiresAt: exp}, nil
}

// ResetPassword sets a new password with a reset token, once. It ends
// every session of the user. An unknown, used or expired token gives an
// ErrInvalid error.
func (s *Store) ResetPassword(ctx context.Context, token, newPassword string) error {
	if err := validatePassword(newPassword); err != nil {
		return err
	}
	hash, err := hashPassword(newPassword, s.cfg.Password)
	if err != nil {
		return err
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var userID, exp int64
	var used sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM forum_password_resets WHERE token_hash = ?`,
		tokenHash(token)).Scan(&userID, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) || used.Valid || exp <= ms(tx.now) {
		return invalid("token", "forum.error.reset_token_invalid", nil)
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_password_resets SET used_at = ? WHERE token_hash = ?`, ms(tx.now), tokenHash(token)); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, ms(tx.now), userID); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	return s.commit(ctx, tx)
}
