package content

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// codeTabs groups adjacent code blocks that carry a tab="Label" attribute:
// one sample in several languages. The reader's choice of label is
// remembered across pages by the portal's script.
type codeTabs struct {
	ast.BaseBlock
	group int // per-document sequence, for element IDs
}

var kindCodeTabs = ast.NewNodeKind("SwitchboardCodeTabs")

func (n *codeTabs) Kind() ast.NodeKind { return kindCodeTabs }
func (n *codeTabs) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

type tabsTransformer struct{}

func (tabsTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	group := 0
	var visit func(parent ast.Node)
	visit = func(parent ast.Node) {
		for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
			cb, ok := c.(*codeBlock)
			if !ok || cb.tab == "" {
				if c.Type() == ast.TypeBlock && c.HasChildren() {
					visit(c)
				}
				continue
			}
			// Collect the run of tabbed blocks starting at c.
			var run []ast.Node
			for n := ast.Node(cb); n != nil; n = n.NextSibling() {
				if b, ok := n.(*codeBlock); ok && b.tab != "" {
					run = append(run, n)
					continue
				}
				break
			}
			if len(run) < 2 {
				continue
			}
			group++
			tabs := &codeTabs{group: group}
			parent.InsertBefore(parent, c, tabs)
			for _, n := range run {
				parent.RemoveChild(parent, n)
				tabs.AppendChild(tabs, n)
			}
			c = tabs
		}
	}
	visit(doc)
}
