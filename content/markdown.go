package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Labels returns the localized text for a UI message ID, such as the title
// of a "> [!NOTE]" alert. The portal passes its i18n lookup here so that the
// renderer itself holds no user-visible strings.
type Labels func(lang, id string) string

// Heading is one entry of a page's table of contents.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Rendered is the result of rendering one Markdown document.
type Rendered struct {
	HTML []byte
	TOC  []Heading // h2 and h3 headings, in order
	Text string    // plain text, for the search index
	// Markdown is the source with the code of file= blocks filled in,
	// for tools that read Markdown rather than HTML.
	Markdown []byte
	// SDKSupport holds the rules of the document's sdk-support blocks
	// (sdk_support.go), in order.
	SDKSupport []SDKRule
}

// Renderer renders Markdown. It is the one place goldmark is configured;
// docs and forum posts take two explicit paths through NewDocsRenderer and
// NewPostRenderer. A Renderer is safe for concurrent use.
type Renderer struct {
	md       goldmark.Markdown
	includes fs.FS
	labels   Labels
}

var (
	parserKeyLang = parser.NewContextKey()
	parserKeyErrs = parser.NewContextKey()
	// parserKeySplices collects the included code that the raw Markdown
	// gets (spliceInclude).
	parserKeySplices = parser.NewContextKey()
)

// NewDocsRenderer configures goldmark for trusted documentation: GFM,
// Unicode heading anchors, GitHub-style alerts, code tabs, highlighted code
// blocks, and code included from real source files (```go file=path
// region=name```), read from includes so that what the docs show is what the
// tests compile and run.
func NewDocsRenderer(includes fs.FS, labels Labels) *Renderer {
	return newRenderer(includes, labels, true)
}

// NewPostRenderer configures goldmark for untrusted user content (forum
// posts): the same Markdown dialect and highlighting, but raw HTML is never
// passed through and nothing is read from files. Its output must still go
// through an HTML sanitizer before it reaches a page.
func NewPostRenderer(labels Labels) *Renderer {
	return newRenderer(nil, labels, false)
}

func newRenderer(includes fs.FS, labels Labels, trusted bool) *Renderer {
	if labels == nil {
		labels = func(_, id string) string { return id }
	}
	r := &Renderer{includes: includes, labels: labels}
	nr := &nodeRenderer{labels: labels}
	if trusted {
		nr.cache = &highlightCache{m: map[string]string{}}
	}
	rendererOpts := []renderer.Option{
		renderer.WithNodeRenderers(
			util.Prioritized(nr, 100),
		),
	}
	if trusted {
		// Docs authors are trusted; their inline HTML (rare) passes through.
		rendererOpts = append(rendererOpts, html.WithUnsafe())
	}
	r.md = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(
				util.Prioritized(headingIDTransformer{}, 50),
				util.Prioritized(&alertTransformer{r: r}, 100),
				util.Prioritized(&codeTransformer{r: r, trusted: trusted}, 200),
				util.Prioritized(tabsTransformer{}, 300),
				util.Prioritized(linkTransformer{}, 400),
			),
		),
		goldmark.WithRendererOptions(rendererOpts...),
	)
	return r
}

// Render renders src in English and returns HTML. It satisfies the forum's
// Renderer interface.
func (r *Renderer) Render(src []byte) ([]byte, error) {
	out, err := r.RenderLang(src, SourceLang)
	if err != nil {
		return nil, err
	}
	return out.HTML, nil
}

// RenderLang renders src with labels in lang, and returns the HTML together
// with its table of contents and plain text.
func (r *Renderer) RenderLang(src []byte, lang string) (*Rendered, error) {
	pc := parser.NewContext()
	pc.Set(parserKeyLang, lang)
	doc := r.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	if errs, _ := pc.Get(parserKeyErrs).([]error); len(errs) > 0 {
		return nil, fmt.Errorf("render: %w", errs[0])
	}
	var buf bytes.Buffer
	buf.Grow(len(src) * 2)
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	splices, _ := pc.Get(parserKeySplices).([]splice)
	rules, _ := pc.Get(parserKeySDK).([]SDKRule)
	return &Rendered{HTML: buf.Bytes(), TOC: collectTOC(doc, src), Text: plainText(doc, src),
		Markdown: applySplices(src, splices), SDKSupport: rules}, nil
}

// nodesOf returns doc's nodes of type T in document order, collected
// first so that a transformer may replace them afterwards.
func nodesOf[T ast.Node](doc ast.Node) []T {
	var out []T
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := n.(T); ok && entering {
			out = append(out, t)
		}
		return ast.WalkContinue, nil
	})
	return out
}

func addErr(pc parser.Context, err error) {
	errs, _ := pc.Get(parserKeyErrs).([]error)
	pc.Set(parserKeyErrs, append(errs, err))
}

func langOf(pc parser.Context) string {
	if l, ok := pc.Get(parserKeyLang).(string); ok {
		return l
	}
	return SourceLang
}

func collectTOC(doc ast.Node, src []byte) []Heading {
	var toc []Heading
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if h.Level == 2 || h.Level == 3 {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			toc = append(toc, Heading{Level: h.Level, ID: string(idb), Text: inlineText(h, src)})
		}
		return ast.WalkSkipChildren, nil
	})
	return toc
}

// inlineText returns the text of n's inline children.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

func plainText(doc ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte('\n')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *codeBlock:
			b.WriteString(t.code)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
