package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// MaxOverlap bounds how long an old certificate or API key may keep
// working after a rotation.
const MaxOverlap = 7 * 24 * time.Hour

// MaxTestTokenTTL bounds the expiry of a token made by the token
// generator: it is for trying things out, not for production clients.
const MaxTestTokenTTL = 24 * time.Hour

func validOverlap(d time.Duration) error {
	if d < 0 || d > MaxOverlap {
		return userErr(ErrInvalid, "console.error.overlap")
	}
	return nil
}

// Certificate returns the app's current certificate, for the page that
// reveals it on demand (owners and developers).
func (s *Service) Certificate(ctx context.Context, appID string) (string, error) {
	if _, err := s.authorizeApp(ctx, appID, ActRevealCredentials); err != nil {
		return "", fmt.Errorf("certificate: %w", err)
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if err != nil {
		return "", fmt.Errorf("certificate: %w", err)
	}
	return ea.Certificate, nil
}

// CertificateOverlap says until when the previous certificate still
// verifies tokens (zero: no previous certificate works). Anyone who may
// see the app may know this; it reveals no secret.
func (s *Service) CertificateOverlap(ctx context.Context, appID string) (time.Time, error) {
	if _, err := s.authorizeApp(ctx, appID, ActViewApp); err != nil {
		return time.Time{}, fmt.Errorf("certificate overlap: %w", err)
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if err != nil {
		return time.Time{}, fmt.Errorf("certificate overlap: %w", err)
	}
	if ea.PreviousCertificate == "" || !s.cfg.Now().Before(ea.PreviousCertificateExpires) {
		return time.Time{}, nil
	}
	return ea.PreviousCertificateExpires, nil
}

// RotateCertificate gives the app a new certificate and returns it; the
// old one verifies tokens for overlap more (owners and developers).
func (s *Service) RotateCertificate(ctx context.Context, appID string, overlap time.Duration) (string, error) {
	const op = "rotate certificate"
	if err := validOverlap(overlap); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if _, err := s.authorizeApp(ctx, appID, ActRotateCredentials); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	c, err := s.cfg.Engine.RotateCertificate(ctx, appID, overlap)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// RotateAPIKey gives the app a new server API key and returns it (shown
// once); the old keys work for overlap more (owners and developers).
func (s *Service) RotateAPIKey(ctx context.Context, appID string, overlap time.Duration) (string, error) {
	const op = "rotate api key"
	if err := validOverlap(overlap); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if _, err := s.authorizeApp(ctx, appID, ActRotateCredentials); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	k, err := s.cfg.Engine.RotateAPIKey(ctx, appID, overlap)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return k, nil
}

// APIKeys lists the app's live API keys by prefix (anyone who may see
// the app: a prefix is no secret).
func (s *Service) APIKeys(ctx context.Context, appID string) ([]engine.APIKeyInfo, error) {
	if _, err := s.authorizeApp(ctx, appID, ActViewApp); err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	keys, err := s.cfg.Engine.APIKeys(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return keys, nil
}

// TestToken is what the token generator takes.
type TestToken struct {
	UserID string
	TTL    time.Duration
	// Subscribe and Publish are channel patterns, one per entry; nil
	// allows every channel.
	Subscribe, Publish []string
}

// ParsePatterns splits a form field of channel patterns (comma or
// whitespace separated); an empty field is nil: every channel.
func ParsePatterns(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(f) == 0 {
		return nil
	}
	return f
}

// MintToken signs a client token for the app on the server, so the
// certificate never reaches the browser (owners and developers).
func (s *Service) MintToken(ctx context.Context, appID string, t TestToken) (string, error) {
	const op = "mint token"
	if t.TTL <= 0 || t.TTL > MaxTestTokenTTL {
		return "", fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.ttl"))
	}
	if u := strings.TrimSpace(t.UserID); u == "" || len(u) > engine.MaxUserIDBytes {
		return "", fmt.Errorf("%s: %w", op, userErr(ErrInvalid, "console.error.user_id"))
	}
	if _, err := s.authorizeApp(ctx, appID, ActMintToken); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	now := s.cfg.Now()
	tok, err := engine.MintToken(ea.ID, ea.Certificate, engine.Claims{
		Subject: strings.TrimSpace(t.UserID), IssuedAt: now, ExpiresAt: now.Add(t.TTL),
		Subscribe: t.Subscribe, Publish: t.Publish,
	}, 0)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return tok, nil
}
