package engine

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// API keys authenticate an app's backend to the server API. They are
// separate from the App Certificate, which signs client tokens: a key can
// be rotated without invalidating any token. The engine stores only a
// SHA-256 hash of each key (a key is 192 random bits, so a plain hash is
// enough), so a key is shown once, when it is made.

// APIKeyPrefix starts every API key, so that a leaked key is recognizable
// (secret scanners, logs).
const APIKeyPrefix = "sb_"

// APIKeyInfo describes one of an app's keys without the key itself.
type APIKeyInfo struct {
	// Prefix is the key's first characters, enough to tell keys apart.
	Prefix    string
	CreatedAt time.Time
	// ExpiresAt is zero for the current key; an old key works until then.
	ExpiresAt time.Time
}

// apiKeyRow is a key as stored (and cached); appID is "" for a hash that
// matches no key.
type apiKeyRow struct {
	appID   string
	expires int64 // Unix ms, 0 = current
}

func hashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// insertAPIKey makes a new current key for app in tx and returns it.
func insertAPIKey(ctx context.Context, tx *sql.Tx, app string, now time.Time) (string, error) {
	key := APIKeyPrefix + randomHex(24)
	if _, err := tx.ExecContext(ctx, `INSERT INTO engine_api_keys (key_hash, app_id, prefix, created_at) VALUES (?, ?, ?, ?)`,
		hashAPIKey(key), app, key[:len(APIKeyPrefix)+8], now.UnixMilli()); err != nil {
		return "", fmt.Errorf("insert api key: %w", err)
	}
	return key, nil
}

// RotateAPIKey gives the app a new API key and returns it. The keys that
// worked until now keep working for overlap (0: they stop at once), so a
// backend can switch without a failed request; a key that was already due
// to expire sooner keeps its earlier expiry. It returns ErrNotFound for an
// unknown app and ErrInvalid for a negative overlap.
func (e *Engine) RotateAPIKey(ctx context.Context, appID string, overlap time.Duration) (string, error) {
	const op = "rotate api key"
	if overlap < 0 {
		return "", fmt.Errorf("%s: negative overlap: %w", op, ErrInvalid)
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM engine_apps WHERE id = ?`, appID).Scan(&n); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return "", fmt.Errorf("%s %q: %w", op, appID, ErrNotFound)
	}
	now := e.now()
	until := now.Add(overlap).UnixMilli()
	if _, err := tx.ExecContext(ctx, `UPDATE engine_api_keys SET expires_at = ? WHERE app_id = ? AND (expires_at = 0 OR expires_at > ?)`,
		until, appID, until); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM engine_api_keys WHERE app_id = ? AND expires_at != 0 AND expires_at <= ?`,
		appID, now.UnixMilli()); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	key, err := insertAPIKey(ctx, tx, appID, now)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	e.apps.forget(appID)
	if err := e.shareApp(ctx, appID); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return key, nil
}

// AppByAPIKey returns the app whose current key, or old key within its
// overlap, is key. It returns ErrNotFound for any other key. Another
// engine's rotation on the same database is seen within AppCacheTTL; an
// old key stops working at its expiry exactly.
func (e *Engine) AppByAPIKey(ctx context.Context, key string) (App, error) {
	now := e.now()
	h := hashAPIKey(key)
	k, ok := e.apps.getKey(h, now)
	if !ok {
		err := e.db.QueryRowContext(ctx, `SELECT app_id, expires_at FROM engine_api_keys WHERE key_hash = ?`, h).Scan(&k.appID, &k.expires)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return App{}, fmt.Errorf("app by api key: %w", err)
		}
		e.apps.putKey(h, k, now)
	}
	if k.appID == "" || (k.expires != 0 && now.UnixMilli() >= k.expires) {
		return App{}, fmt.Errorf("app by api key: %w", ErrNotFound)
	}
	return e.GetApp(ctx, k.appID)
}

// APIKeys lists the app's live keys, the current one first.
func (e *Engine) APIKeys(ctx context.Context, appID string) ([]APIKeyInfo, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT prefix, created_at, expires_at FROM engine_api_keys
		WHERE app_id = ? AND (expires_at = 0 OR expires_at > ?) ORDER BY expires_at = 0 DESC, created_at DESC`, appID, e.now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKeyInfo
	for rows.Next() {
		var k APIKeyInfo
		var created, expires int64
		if err := rows.Scan(&k.Prefix, &created, &expires); err != nil {
			return nil, fmt.Errorf("api keys: %w", err)
		}
		k.CreatedAt = time.UnixMilli(created).UTC()
		if expires != 0 {
			k.ExpiresAt = time.UnixMilli(expires).UTC()
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return out, nil
}
