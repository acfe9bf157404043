package content

import (
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// alert is a GitHub-style alert: a blockquote whose first line is
// "[!NOTE]", "[!TIP]", "[!IMPORTANT]", "[!WARNING]" or "[!CAUTION]".
type alert struct {
	ast.BaseBlock
	kind  string // note, tip, important, warning, caution
	title string // localized
}

var kindAlert = ast.NewNodeKind("SwitchboardAlert")

func (n *alert) Kind() ast.NodeKind { return kindAlert }
func (n *alert) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"kind": n.kind}, nil)
}

var alertMarker = regexp.MustCompile(`(?i)^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION|DEPRECATED)\]\s*$`)

type alertTransformer struct{ r *Renderer }

func (t *alertTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	for _, bq := range nodesOf[*ast.Blockquote](doc) {
		para, ok := bq.FirstChild().(*ast.Paragraph)
		if !ok || para.Lines().Len() == 0 {
			continue
		}
		first := para.Lines().At(0)
		m := alertMarker.FindSubmatch(first.Value(src))
		if m == nil {
			continue
		}
		// Drop the inline nodes that make up the marker line.
		for c := para.FirstChild(); c != nil; {
			next := c.NextSibling()
			if txt, ok := c.(*ast.Text); ok && txt.Segment.Start >= first.Start && txt.Segment.Stop <= first.Stop {
				para.RemoveChild(para, c)
				c = next
				continue
			}
			break
		}
		if para.ChildCount() == 0 {
			bq.RemoveChild(bq, para)
		}
		kind := strings.ToLower(string(m[1]))
		a := &alert{kind: kind, title: t.r.labels(langOf(pc), "docs.alert."+kind)}
		for c := bq.FirstChild(); c != nil; {
			next := c.NextSibling()
			bq.RemoveChild(bq, c)
			a.AppendChild(a, c)
			c = next
		}
		bq.Parent().ReplaceChild(bq.Parent(), bq, a)
	}
}
