package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // readers name zones such as Asia/Shanghai; hosts may lack zoneinfo
)

// TimeZone returns the time zone the user chose for reading times, or ""
// when they have not chosen one (pages then use the language's default).
func (s *Store) TimeZone(ctx context.Context, userID int64) (string, error) {
	var tz string
	err := s.db.QueryRowContext(ctx, `SELECT time_zone FROM forum_user_settings WHERE user_id = ?`, userID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("time zone: %w", err)
	}
	return tz, nil
}

// ValidTimeZone reports whether name is an IANA time zone a reader may
// choose ("" means the language's default).
func ValidTimeZone(name string) bool {
	if name == "" {
		return true
	}
	if len(name) > 64 || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// SetTimeZone stores the signed-in user's time zone, an IANA name such as
// "Asia/Shanghai", or "" for the language's default. ErrUnauthorized when
// signed out; ErrInvalid for an unknown zone.
func (s *Store) SetTimeZone(ctx context.Context, name string) error {
	if !ValidTimeZone(name) {
		return invalid("time_zone", "support.error.time_zone_invalid", nil)
	}
	tx, u, err := s.beginAs(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_user_settings (user_id, time_zone, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, updated_at = excluded.updated_at`, u.ID, name, ms(tx.now)); err != nil {
		return fmt.Errorf("set time zone: %w", err)
	}
	return s.commit(ctx, tx)
}
