package engine_test

import "testing"

func TestSmoke(t *testing.T) {
	v := newEnv(t, nil)
	a := v.app("demo")
	alice := v.connect(a, "alice")
	bob := v.connect(a, "bob")
	if rep := bob.call("subscribe", map[string]any{"channel": "news"}); rep.code() != 0 {
		t.Fatalf("subscribe: %v", rep)
	}
	rep := alice.call("publish", map[string]any{"channel": "news", "data": map[string]any{"text": "hi"}})
	if rep.code() != 0 {
		t.Fatalf("publish: %v", rep)
	}
	p := bob.push("pub")
	if got := p.sub("data").str("text"); got != "hi" {
		t.Fatalf("got %q", got)
	}
	t.Logf("%v", p)
}
