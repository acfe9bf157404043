package content

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// linkTransformer lets docs authors write language-neutral links:
// "/docs/engine/channels#presence" becomes "/zh/docs/engine/channels#presence"
// on a Chinese page, so a reader never falls out of their language.
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	lang := langOf(pc)
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			if d := string(l.Destination); strings.HasPrefix(d, "/docs/") || d == "/docs" {
				l.Destination = []byte("/" + lang + d)
			}
		}
		return ast.WalkContinue, nil
	})
}
