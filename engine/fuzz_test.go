package engine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// Fuzz the frame decoder: any bytes give either a request the handler can
// dispatch or a bad_request error, never a panic. CI runs the seeds; run
// longer with: go test ./engine -run '^$' -fuzz FuzzDecodeRequest -fuzztime 10s
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"op":"connect","token":"a.b.c"}`,
		`{"id":2,"op":"subscribe","channel":"news","recover":true,"offset":5,"epoch":"abcd","ack":true,"presence":true}`,
		`{"id":3,"op":"publish","channel":"news","data":{"text":"hi"}}`,
		`{"id":4,"op":"history","channel":"news","since":1,"until":9,"limit":5,"latest":true}`,
		`{"id":5,"op":"set_state","channel":"room","state":{"k":"v"}}`,
		`{"id":6,"op":"peer","to":"bob","data":"x","store":false}`,
		`{"op":"ack","channel":"news","offset":3}`,
		`{"op":"peer_ack","message_id":42}`,
		`{"op":"pong"}`,
		`{"id":9007199254740992,"op":"publish"}`,
		`{"id":-1,"op":"publish"}`,
		`{"id":1.5,"op":"publish"}`,
		`{"id":"1","op":"publish"}`,
		`{"id":1,"op":"publish","data":}`,
		`[]`, `null`, ``, `   `, "\x00", `{"id":1,"op":"\u0000"}`,
		`{"id":1,"op":"publish","offset":18446744073709551616}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRequest(b)
		if err != nil {
			if err.Code != CodeBadRequest {
				t.Fatalf("decode error code %d, want 101", err.Code)
			}
			if r != nil && r.ID > maxRequestID {
				t.Fatalf("error carries id %d beyond 2^53-1", r.ID)
			}
			return
		}
		if r.Op == "" || r.ID > maxRequestID || (r.ID == 0 && !opsWithoutID[r.Op]) {
			t.Fatalf("accepted request %+v", r)
		}
	})
}

const fuzzCert = "0123456789abcdef0123456789abcdef"

// Fuzz the token parser: it never panics, and it accepts a token only if
// the HMAC-SHA256 of its first two parts under the app certificate is its
// third part, the algorithm is HS256 and the claims are complete and
// unexpired.
func FuzzParseToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	good, err := MintToken("app1", fuzzCert, Claims{Subject: "alice", IssuedAt: now, ExpiresAt: now.Add(time.Hour), Subscribe: []string{"room.*"}}, 0)
	if err != nil {
		f.Fatal(err)
	}
	expired, _ := MintToken("app1", fuzzCert, Claims{Subject: "alice", IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, 0)
	otherApp, _ := MintToken("app2", fuzzCert, Claims{Subject: "alice", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}, 0)
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good, expired, otherApp,
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1],
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
		"", ".", "..", "a.b.c", "a.b.c.d",
		good + "x",
		strings.ToUpper(good),
	} {
		f.Add(s)
	}
	lookup := func(_ context.Context, id string) (App, error) {
		if id == "app1" {
			return App{ID: "app1", Certificate: fuzzCert}, nil
		}
		return App{}, ErrNotFound
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, app, perr := parseToken(context.Background(), tok, now, lookup)
		if perr != nil {
			if perr.Code < CodeTokenMalformed || perr.Code > CodeAppNotFound {
				t.Fatalf("token error code %d outside 110-113", perr.Code)
			}
			return
		}
		p := strings.Split(tok, ".")
		if len(p) != 3 {
			t.Fatalf("accepted token with %d parts", len(p))
		}
		mac := hmac.New(sha256.New, []byte(fuzzCert))
		mac.Write([]byte(p[0] + "." + p[1]))
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
			t.Fatalf("accepted token with a bad signature: %q", tok)
		}
		if app.ID != "app1" || c.App != "app1" || c.Subject == "" || !c.ExpiresAt.After(now) {
			t.Fatalf("accepted claims %+v for app %q", c, app.ID)
		}
	})
}

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		channel  string
		want     bool
	}{
		{nil, "any", true},
		{[]string{}, "any", false},
		{[]string{"*"}, "any", true},
		{[]string{"room.*"}, "room.1", true},
		{[]string{"room.*"}, "room", false},
		{[]string{"room.*"}, "roomx", false},
		{[]string{"lobby"}, "lobby", true},
		{[]string{"lobby"}, "lobby2", false},
	} {
		if got := allowed(tc.patterns, tc.channel); got != tc.want {
			t.Errorf("allowed(%q, %q) = %v, want %v", tc.patterns, tc.channel, got, tc.want)
		}
	}
}
