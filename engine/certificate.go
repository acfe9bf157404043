package engine

import (
	"context"
	"fmt"
	"time"
)

// An App Certificate signs client tokens. Rotating it would, without an
// overlap, fail every token already handed out; so the previous
// certificate keeps verifying tokens for a chosen overlap, while new
// tokens are signed with the new one.

// RotateCertificate gives the app a new certificate and returns it. The
// current certificate keeps verifying tokens for overlap (0: it stops at
// once); a certificate from an earlier rotation stops now, so at most two
// ever verify. It returns ErrNotFound for an unknown app and ErrInvalid
// for a negative overlap. Another engine on the same database sees the
// change within AppCacheTTL.
func (e *Engine) RotateCertificate(ctx context.Context, appID string, overlap time.Duration) (string, error) {
	const op = "rotate certificate"
	if overlap < 0 {
		return "", fmt.Errorf("%s: negative overlap: %w", op, ErrInvalid)
	}
	cert := randomHex(32)
	until := e.now().Add(overlap).UnixMilli()
	res, err := e.db.ExecContext(ctx, `UPDATE engine_apps SET prev_certificate = certificate, prev_cert_expires = ?, certificate = ? WHERE id = ?`,
		until, cert, appID)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", fmt.Errorf("%s %q: %w", op, appID, ErrNotFound)
	}
	e.apps.forget(appID)
	return cert, nil
}

// RenameApp changes an app's display name. It returns ErrInvalid for an
// empty or over-long name and ErrNotFound for an unknown app.
func (e *Engine) RenameApp(ctx context.Context, appID, name string) error {
	name, err := validAppName(name)
	if err != nil {
		return fmt.Errorf("rename app: %w", err)
	}
	res, err := e.db.ExecContext(ctx, `UPDATE engine_apps SET name = ? WHERE id = ?`, name, appID)
	if err != nil {
		return fmt.Errorf("rename app: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("rename app %q: %w", appID, ErrNotFound)
	}
	e.apps.forget(appID)
	return nil
}

// verificationKeys are the certificates that verify the app's tokens at
// now: the current one, and the previous one within its overlap.
func (a App) verificationKeys(now time.Time) [][]byte {
	keys := [][]byte{[]byte(a.Certificate)}
	if a.PreviousCertificate != "" && now.Before(a.PreviousCertificateExpires) {
		keys = append(keys, []byte(a.PreviousCertificate))
	}
	return keys
}
