package engine_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
)

// handMint builds a token exactly as PROTOCOL.md section 3 tells any
// backend language to, without the Go library.
func handMint(header, claims any, key string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(header) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestConnectTokens(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("one")
	b := v.app("two")
	now := time.Now().Unix()
	hs := map[string]string{"alg": "HS256", "typ": "JWT"}
	claims := func(app, sub string, exp int64) map[string]any {
		return map[string]any{"sub": sub, "app": app, "exp": exp, "iat": now}
	}
	good := v.token(a, "alice", nil)
	tests := []struct {
		name  string
		token string
		app   string
		want  engine.Code
	}{
		{"library token", good, "", 0},
		{"hand-minted token", handMint(hs, claims(a.ID, "alice", now+60), a.Certificate), "", 0},
		{"matching app field", good, a.ID, 0},
		{"expired", handMint(hs, claims(a.ID, "alice", now-10), a.Certificate), "", engine.CodeTokenExpired},
		{"forged", handMint(hs, claims(a.ID, "alice", now+60), "not-the-certificate"), "", engine.CodeTokenSignature},
		{"signed with another app's certificate", handMint(hs, claims(a.ID, "alice", now+60), b.Certificate), "", engine.CodeTokenSignature},
		{"wrong app asked", good, b.ID, engine.CodeWrongApp},
		{"unknown app", handMint(hs, claims("nope", "alice", now+60), a.Certificate), "", engine.CodeAppNotFound},
		{"garbage", "not.a.jwt", "", engine.CodeTokenMalformed},
		{"alg none", handMint(map[string]string{"alg": "none"}, claims(a.ID, "alice", now+60), a.Certificate), "", engine.CodeTokenMalformed},
		{"HS512", handMint(map[string]string{"alg": "HS512"}, claims(a.ID, "alice", now+60), a.Certificate), "", engine.CodeTokenMalformed},
		{"no sub", handMint(hs, claims(a.ID, "", now+60), a.Certificate), "", engine.CodeTokenMalformed},
		{"no exp", handMint(hs, map[string]any{"sub": "x", "app": a.ID, "iat": now}, a.Certificate), "", engine.CodeTokenMalformed},
		{"no iat", handMint(hs, map[string]any{"sub": "x", "app": a.ID, "exp": now + 60}, a.Certificate), "", engine.CodeTokenMalformed},
		{"no app", handMint(hs, map[string]any{"sub": "x", "exp": now + 60, "iat": now}, a.Certificate), "", engine.CodeTokenMalformed},
		{"sub too long", handMint(hs, claims(a.ID, strings.Repeat("u", 129), now+60), a.Certificate), "", engine.CodeTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v.dial()
			f := map[string]any{"token": tt.token}
			if tt.app != "" {
				f["app"] = tt.app
			}
			rep := r.call("connect", f)
			if got := engine.Code(rep.code()); got != tt.want {
				t.Fatalf("connect: got code %d (%s), want %d", got, rep["error"], tt.want)
			}
			if tt.want == 0 && rep.sub("result").str("user") != "alice" {
				t.Fatalf("connect result %s, want user alice", rep["result"])
			}
			if tt.want != 0 {
				// A failed connect leaves the socket usable for another try.
				if rep := r.call("connect", map[string]any{"token": good}); rep.code() != 0 {
					t.Fatalf("retry connect: %s", rep["error"])
				}
			}
		})
	}
	t.Run("missing token", func(t *testing.T) {
		if got := v.dial().call("connect", nil).code(); got != int64(engine.CodeBadRequest) {
			t.Fatalf("got %d, want 101", got)
		}
	})
	t.Run("connect twice", func(t *testing.T) {
		r := v.connect(a, "alice")
		if got := r.call("connect", map[string]any{"token": good}).code(); got != int64(engine.CodeAlreadyConnect) {
			t.Fatalf("got %d, want 105", got)
		}
	})
	t.Run("op before connect", func(t *testing.T) {
		if got := v.dial().call("publish", map[string]any{"channel": "x", "data": 1}).code(); got != int64(engine.CodeNotConnected) {
			t.Fatalf("got %d, want 104", got)
		}
	})
}

func TestPermissions(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("one")
	r := v.dial()
	tok := v.token(a, "alice", func(c *engine.Claims) {
		c.Subscribe = []string{"room.*", "lobby"}
		c.Publish = []string{}
	})
	if rep := r.call("connect", map[string]any{"token": tok}); rep.code() != 0 {
		t.Fatal(rep)
	}
	tests := []struct {
		op      string
		channel string
		want    engine.Code
	}{
		{"subscribe", "room.1", 0},
		{"subscribe", "lobby", 0},
		{"subscribe", "lobby2", engine.CodePermission},
		{"subscribe", "secret", engine.CodePermission},
		{"history", "room.9", 0},
		{"history", "secret", engine.CodePermission},
		{"presence", "secret", engine.CodePermission},
		{"publish", "room.1", engine.CodePermission},
	}
	for _, tt := range tests {
		rep := r.call(tt.op, map[string]any{"channel": tt.channel, "data": "x"})
		if got := engine.Code(rep.code()); got != tt.want {
			t.Errorf("%s %s: got %d, want %d", tt.op, tt.channel, got, tt.want)
		}
	}
}

func TestMintTokenRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		name, app, cert, sub string
		ttl                  time.Duration
	}{
		{"no app", "", "cert", "u", time.Hour},
		{"no cert", "app", "", "u", time.Hour},
		{"no sub", "app", "cert", "", time.Hour},
		{"no expiry", "app", "cert", "u", 0},
	} {
		if _, err := engine.MintToken(c.app, c.cert, engine.Claims{Subject: c.sub}, c.ttl); err == nil {
			t.Errorf("%s: MintToken succeeded, want error", c.name)
		}
	}
}
