package serverapi_test

import (
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
)

// JSON is UTF-8 (RFC 8259), and WebSocket text frames must be too: a body
// with invalid UTF-8 anywhere is refused with 101 before anything is
// published, stored or sent, so no subscriber's connection receives a
// frame that its browser would close the socket over.
func TestInvalidUTF8(t *testing.T) {
	v := newEnv(t, envOpts{})
	for _, tc := range []struct{ name, method, path, body string }{
		{"publish data", "POST", "/v1/api/publish", "{\"channel\":\"news\",\"data\":\"caf\xe9\"}"},
		{"publish data, truncated sequence", "POST", "/v1/api/publish", "{\"channel\":\"news\",\"data\":{\"t\":\"\xe4\xbd\"}}"},
		{"publish idempotency key", "POST", "/v1/api/publish", "{\"channel\":\"news\",\"data\":1,\"idempotency_key\":\"k\xff\"}"},
		{"publish channel", "POST", "/v1/api/publish", "{\"channel\":\"news\xc0\",\"data\":1}"},
		{"broadcast data", "POST", "/v1/api/broadcast", "{\"channels\":[\"news\",\"other\"],\"data\":\"\xed\xa0\x80\"}"},
		{"user message data", "POST", "/v1/api/users/alice/messages", "{\"data\":\"\xf8\x88\x80\x80\x80\"}"},
	} {
		r := v.call(tc.method, tc.path, tc.body)
		wantError(t, tc.name, r, 400, int(engine.CodeBadRequest))
		var b struct{ Error engine.Error }
		r.json(t, &b)
		if tc.name == "publish data" && !strings.Contains(b.Error.Message, "at byte 29") {
			t.Errorf("%s: message %q, want the offset of the bad byte, 29", tc.name, b.Error.Message)
		}
		if !strings.Contains(b.Error.Message, "UTF-8") {
			t.Errorf("%s: message %q, want it to say the body is not UTF-8", tc.name, b.Error.Message)
		}
	}
	for _, ch := range []string{"news", "other"} {
		var h struct{ Offset uint64 }
		v.call("GET", "/v1/api/channels/"+ch+"/history", "").json(t, &h)
		if h.Offset != 0 {
			t.Errorf("a body with invalid UTF-8 published to %s: offset %d", ch, h.Offset)
		}
	}
	// Valid UTF-8, escaped or not, still goes through.
	r := v.call("POST", "/v1/api/publish", `{"channel":"news","data":{"t":"你好 café \u00e9 😀"}}`)
	if r.status != 200 {
		t.Fatalf("valid UTF-8: %d %s", r.status, r.body)
	}
}
