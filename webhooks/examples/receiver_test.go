package examples_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/webhooks"
	"github.com/switchboard-rtm/switchboard/webhooks/examples"
)

// The docs' Go verifier accepts what the service signs and refuses
// forgeries, other secrets, changed bodies and replays older than 5 minutes.
func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	now := time.Unix(1_800_000_000, 0)
	sig := webhooks.Sign("whsec_k", now, body)
	if !strings.HasPrefix(sig, "t=1800000000,v1=") {
		t.Errorf("Sign = %q", sig)
	}
	tests := []struct {
		name, secret, header string
		body                 []byte
		at                   time.Time
		ok                   bool
	}{
		{"fresh", "whsec_k", sig, body, now.Add(4 * time.Minute), true},
		{"with an unknown scheme too", "whsec_k", "v0=00," + sig, body, now, true},
		{"other secret", "whsec_other", sig, body, now, false},
		{"changed body", "whsec_k", sig, []byte(`{"id":"evt_2"}`), now, false},
		{"replayed after 6 minutes", "whsec_k", sig, body, now.Add(6 * time.Minute), false},
		{"timestamp moved forward", "whsec_k", strings.Replace(sig, "t=1800000000", "t=1800000300", 1), body, now.Add(6 * time.Minute), false},
		{"no header", "whsec_k", "", body, now, false},
	}
	for _, tt := range tests {
		if err := examples.Verify(tt.secret, tt.header, tt.body, tt.at); (err == nil) != tt.ok {
			t.Errorf("%s: Verify = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestHandler(t *testing.T) {
	var got []examples.Event
	h := examples.Handler("whsec_k", func(ev examples.Event) error {
		got = append(got, ev)
		return nil
	})
	body := []byte(`{"id":"evt_1","type":"connect","app_id":"a","time":1,"data":{"user":"alice"}}`)
	post := func(sig string) int {
		req := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		req.Header.Set(webhooks.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(webhooks.Sign("whsec_k", time.Now(), body)); code != http.StatusNoContent {
		t.Errorf("signed request: %d", code)
	}
	if code := post(webhooks.Sign("whsec_k", time.Now().Add(-10*time.Minute), body)); code != http.StatusBadRequest {
		t.Errorf("replayed request: %d, want 400", code)
	}
	if code := post(webhooks.Sign("forged", time.Now(), body)); code != http.StatusBadRequest {
		t.Errorf("forged request: %d, want 400", code)
	}
	if len(got) != 1 || got[0].ID != "evt_1" || got[0].Type != "connect" || string(got[0].Data) != `{"user":"alice"}` {
		t.Errorf("handled %+v", got)
	}
}
