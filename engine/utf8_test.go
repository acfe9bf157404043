package engine_test

import (
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
)

// A text frame with invalid UTF-8 is refused with 101 and publishes
// nothing: fanned out, it would make every subscribed browser close its
// socket (RFC 6455 fails a connection over invalid UTF-8).
func TestInvalidUTF8Frame(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	alice, bob := v.connect(a, "alice"), v.connect(a, "bob")
	wantCode(t, "subscribe", bob.call("subscribe", map[string]any{"channel": "news"}), 0)

	alice.mu.Lock()
	reply := make(chan frame, 1)
	alice.waits[500] = reply
	alice.mu.Unlock()
	alice.sendRaw("{\"id\":500,\"op\":\"publish\",\"channel\":\"news\",\"data\":\"caf\xe9\"}")
	rep := alice.wait(reply)
	wantCode(t, "publish of invalid UTF-8", rep, engine.CodeBadRequest)
	if msg := rep.sub("error").str("message"); msg != "frame is not valid UTF-8" {
		t.Errorf("error message %q", msg)
	}
	alice.sendRaw("{\"op\":\"pong\",\"x\":\"\xff\"}") // no id: an error push
	if f := alice.push("error"); engine.Code(f.code()) != engine.CodeBadRequest {
		t.Fatalf("got %v, want bad_request", f)
	}

	wantCode(t, "valid publish", alice.call("publish", map[string]any{"channel": "news", "data": "café 你好"}), 0)
	if p := bob.push("pub"); p.num("offset") != 1 || p.str("data") != "café 你好" {
		t.Fatalf("bob got %v, want offset 1 with the valid message only", p)
	}
}
