package main

import (
	"os"
	"strings"
	"testing"
)

// The protocol reference docs page is the engine's contract, engine/PROTOCOL.md,
// made readable on the site. They must say the same thing: a change to one
// without the other fails here (and the Chinese page then shows as outdated
// in i18n-status until it is translated again).
func TestProtocolReferenceMatchesEngineContract(t *testing.T) {
	body := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		i := strings.Index(s, "## 1. Transport")
		if i < 0 {
			t.Fatalf("%s has no \"## 1. Transport\" section", path)
		}
		return s[i:]
	}
	contract, page := body("engine/PROTOCOL.md"), body("content/docs/en/engine/protocol.md")
	if contract != page {
		a, b := strings.Split(contract, "\n"), strings.Split(page, "\n")
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				t.Fatalf("content/docs/en/engine/protocol.md differs from engine/PROTOCOL.md at line %d of the body:\ncontract: %q\npage:     %q\nCopy the contract into the page.", i+1, a[i], b[i])
			}
		}
		t.Fatalf("content/docs/en/engine/protocol.md and engine/PROTOCOL.md differ in length (%d vs %d lines)", len(b), len(a))
	}
}
