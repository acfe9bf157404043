package content

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// headingIDs generates heading anchors that keep every letter, in any
// script. goldmark's default generator drops non-ASCII characters, so
// "# 快速入门" would become "heading"; here it becomes "快速入门".
type headingIDs struct {
	seen map[string]int
}

var _ parser.IDs = (*headingIDs)(nil)

func newHeadingIDs() *headingIDs { return &headingIDs{seen: map[string]int{}} }

// Slug turns heading text into an anchor: letters and digits of any script
// are kept (lower-cased), runs of spaces and dashes become one dash, and
// other punctuation is dropped.
func Slug(text string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == '_':
			b.WriteRune(r)
			dash = false
		case unicode.IsSpace(r) || r == '-':
			dash = true
		}
	}
	return b.String()
}

func (h *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	id := Slug(string(value))
	if id == "" {
		id = "section"
	}
	if n, ok := h.seen[id]; ok {
		for {
			n++
			cand := id + "-" + strconv.Itoa(n)
			if _, taken := h.seen[cand]; !taken {
				h.seen[id] = n
				id = cand
				break
			}
		}
	}
	h.seen[id] = 0
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = 0 }

// headingIDTransformer gives every heading its anchor, made from the text as
// the reader sees it rather than its Markdown source, so that
// "## Using [JWT](https://jwt.io)" gets "using-jwt", not an anchor with the
// URL in it.
type headingIDTransformer struct{}

func (headingIDTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	ids := newHeadingIDs()
	src := reader.Source()
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.SetAttributeString("id", ids.Generate([]byte(inlineText(h, src)), ast.KindHeading))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}
