package jssdk_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/jssdk"
)

// TestErrorCodesMatchEngine holds the JavaScript SDK's ErrorCodes and
// CloseCodes to engine/errors.go: every protocol error code by its stable
// name, and every close code the server sends by the snake_case of its
// constant's name after "Close". (The Go SDK has the same test in
// engine/gosdktest.)
func TestErrorCodesMatchEngine(t *testing.T) {
	src, err := fs.ReadFile(jssdk.FS(), "switchboard.js")
	if err != nil {
		t.Fatal(err)
	}
	block := func(start string) string {
		i := strings.Index(string(src), start)
		if i < 0 {
			t.Fatalf("switchboard.js has no %q", start)
		}
		rest := string(src[i:])
		return rest[:strings.Index(rest, "}")]
	}

	jsErrors := map[int]string{}
	for _, m := range regexp.MustCompile(`(\d+): '(\w+)'`).FindAllStringSubmatch(block("const ERROR_NAMES = {"), -1) {
		n, _ := strconv.Atoi(m[1])
		jsErrors[n] = m[2]
	}
	goErrors := map[int]string{}
	for n := 0; n < 1000; n++ {
		if name := engine.Code(n).String(); name != "code_"+strconv.Itoa(n) {
			goErrors[n] = name
		}
	}
	if len(goErrors) == 0 || !maps.Equal(jsErrors, goErrors) {
		t.Errorf("switchboard.js ERROR_NAMES:\n%v\nengine/errors.go:\n%v", jsErrors, goErrors)
	}

	jsClose := map[int]string{}
	for _, m := range regexp.MustCompile(`(\w+): (\d+)`).FindAllStringSubmatch(block("export const CloseCodes = Object.freeze({"), -1) {
		n, _ := strconv.Atoi(m[2])
		jsClose[n] = m[1]
	}
	goClose := engineCloseCodes(t)
	if len(goClose) == 0 || !maps.Equal(jsClose, goClose) {
		t.Errorf("switchboard.js CloseCodes:\n%v\nengine/errors.go:\n%v", jsClose, goClose)
	}
}

// engineCloseCodes reads the Close* constants of engine/errors.go, named
// in snake_case without the prefix (CloseNoPong = 4002 gives no_pong).
func engineCloseCodes(t *testing.T) map[int]string {
	f, err := parser.ParseFile(token.NewFileSet(), "../errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, id := range vs.Names {
				name, ok := strings.CutPrefix(id.Name, "Close")
				if !ok || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a literal", id.Name)
				}
				n, _ := strconv.Atoi(lit.Value)
				codes[n] = snake(name)
			}
		}
	}
	return codes
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
