package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the contents of a client token, an HS256 JWT signed with the
// app certificate. The exact JSON claim names are:
//
//	"sub"       string   user ID, 1-128 bytes (required)
//	"app"       string   App ID (required)
//	"exp"       integer  expiry, Unix seconds (required)
//	"iat"       integer  issue time, Unix seconds (required)
//	"subscribe" []string channel patterns allowed for subscribe, history and presence (optional)
//	"publish"   []string channel patterns allowed for publish (optional)
//
// An absent "subscribe"/"publish" claim allows every channel; a present list,
// even an empty one, allows only matching channels. A pattern is an exact
// channel name or a prefix ending in "*" ("room.*", or "*" for all).
type Claims struct {
	Subject   string    // "sub"
	App       string    // "app"
	ExpiresAt time.Time // "exp"
	IssuedAt  time.Time // "iat"
	// Subscribe restricts subscribe/history/presence; nil allows all channels.
	Subscribe []string // "subscribe"
	// Publish restricts publish; nil allows all channels.
	Publish []string // "publish"
}

// wireClaims is the JSON form of Claims.
type wireClaims struct {
	jwt.RegisteredClaims
	App       string    `json:"app"`
	Subscribe *[]string `json:"subscribe,omitempty"`
	Publish   *[]string `json:"publish,omitempty"`
}

// MaxUserIDBytes is the longest accepted user ID ("sub").
const MaxUserIDBytes = 128

// MintToken returns a signed token for appID. ttl sets "exp" relative to
// now (and c.ExpiresAt is then ignored); with ttl <= 0, c.ExpiresAt is used.
// "iat" is now unless c.IssuedAt is set; c.App is ignored (appID wins).
func MintToken(appID, appCert string, c Claims, ttl time.Duration) (string, error) {
	if appID == "" || appCert == "" {
		return "", fmt.Errorf("mint token: app ID and certificate required: %w", ErrInvalid)
	}
	if c.Subject == "" || len(c.Subject) > MaxUserIDBytes {
		return "", fmt.Errorf("mint token: sub must be 1-%d bytes: %w", MaxUserIDBytes, ErrInvalid)
	}
	now := time.Now()
	if c.IssuedAt.IsZero() {
		c.IssuedAt = now
	}
	if ttl > 0 {
		c.ExpiresAt = now.Add(ttl)
	}
	if c.ExpiresAt.IsZero() {
		return "", fmt.Errorf("mint token: ttl or ExpiresAt required: %w", ErrInvalid)
	}
	w := wireClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.Subject,
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
		},
		App: appID,
	}
	if c.Subscribe != nil {
		w.Subscribe = &c.Subscribe
	}
	if c.Publish != nil {
		w.Publish = &c.Publish
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, w).SignedString([]byte(appCert))
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return s, nil
}

// appLookup finds an app's certificate by ID.
type appLookup func(ctx context.Context, id string) (App, error)

// parseToken verifies a token and returns its claims and app, or a protocol
// *Error with code 110-113.
func parseToken(ctx context.Context, tok string, now time.Time, lookup appLookup) (Claims, App, *Error) {
	var w wireClaims
	var app App
	var lookupErr error
	p := jwt.NewParser(
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := p.ParseWithClaims(tok, &w, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			lookupErr = errf(CodeTokenMalformed, "token algorithm must be HS256")
			return nil, lookupErr
		}
		if w.App == "" {
			lookupErr = errf(CodeTokenMalformed, "token has no app claim")
			return nil, lookupErr
		}
		a, err := lookup(ctx, w.App)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				lookupErr = errf(CodeAppNotFound, "no app %q", w.App)
			} else {
				lookupErr = errf(CodeInternal, "app lookup failed")
			}
			return nil, lookupErr
		}
		app = a
		keys := a.verificationKeys(now)
		if len(keys) == 1 {
			return keys[0], nil
		}
		set := jwt.VerificationKeySet{}
		for _, k := range keys {
			set.Keys = append(set.Keys, k)
		}
		return set, nil
	})
	if err != nil {
		var pe *Error
		switch {
		case errors.As(lookupErr, &pe):
			return Claims{}, App{}, pe
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			return Claims{}, App{}, errf(CodeTokenSignature, "token signature does not match the app certificate")
		case errors.Is(err, jwt.ErrTokenExpired):
			return Claims{}, App{}, errf(CodeTokenExpired, "token expired")
		default:
			return Claims{}, App{}, errf(CodeTokenMalformed, "malformed token: %v", trimJWTErr(err))
		}
	}
	if w.Subject == "" || len(w.Subject) > MaxUserIDBytes {
		return Claims{}, App{}, errf(CodeTokenMalformed, "sub must be 1-%d bytes", MaxUserIDBytes)
	}
	if w.IssuedAt == nil {
		return Claims{}, App{}, errf(CodeTokenMalformed, "token has no iat claim")
	}
	c := Claims{Subject: w.Subject, App: w.App, ExpiresAt: w.ExpiresAt.Time, IssuedAt: w.IssuedAt.Time}
	if w.Subscribe != nil {
		c.Subscribe = append([]string{}, *w.Subscribe...)
	}
	if w.Publish != nil {
		c.Publish = append([]string{}, *w.Publish...)
	}
	return c, app, nil
}

func trimJWTErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// allowed reports whether channel matches one of patterns; nil allows all.
func allowed(patterns []string, channel string) bool {
	if patterns == nil {
		return true
	}
	for _, p := range patterns {
		if MatchChannel(p, channel) {
			return true
		}
	}
	return false
}

// MatchChannel reports whether channel matches pattern, as token claims
// match: an exact name, or a prefix followed by "*" ("orders:*", or "*"
// for every channel).
func MatchChannel(pattern, channel string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(channel, prefix)
	}
	return pattern == channel
}
