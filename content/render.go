package content

import (
	"fmt"
	"html"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer writes the HTML for Switchboard's own nodes and for headings
// (which get a visible anchor link).
type nodeRenderer struct {
	cache  *highlightCache // docs only: posts' code is not worth keeping
	labels Labels
}

func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindCodeBlock, r.renderCode)
	reg.Register(kindCodeTabs, r.renderTabs)
	reg.Register(kindAlert, r.renderAlert)
	reg.Register(kindSDKSupport, r.renderSDKSupport)
	reg.Register(ast.KindHeading, r.renderHeading)
}

func (r *nodeRenderer) renderHeading(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	h := n.(*ast.Heading)
	id, _ := h.AttributeString("id")
	idb, _ := id.([]byte)
	if entering {
		fmt.Fprintf(w, "<h%d id=\"%s\">", h.Level, html.EscapeString(string(idb)))
		return ast.WalkContinue, nil
	}
	if len(idb) > 0 && h.Level > 1 {
		fmt.Fprintf(w, "<a class=\"anchor\" href=\"#%s\" aria-hidden=\"true\" tabindex=\"-1\">#</a>", html.EscapeString(string(idb)))
	}
	fmt.Fprintf(w, "</h%d>\n", h.Level)
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) renderCode(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	cb := n.(*codeBlock)
	lang := html.EscapeString(cb.lang)
	w.WriteString(`<div class="code-block"`)
	if cb.lang != "" {
		fmt.Fprintf(w, ` data-lang="%s"`, lang)
	}
	if cb.run {
		w.WriteString(` data-run="true"`)
	}
	w.WriteString(">")
	if cb.title != "" {
		fmt.Fprintf(w, `<div class="code-title">%s</div>`, html.EscapeString(cb.title))
	}
	w.WriteString(`<pre class="chroma" tabindex="0"><code`) // focusable: keyboard users scroll long lines
	if cb.lang != "" {
		fmt.Fprintf(w, ` class="language-%s"`, lang)
	}
	w.WriteString(">")
	r.cache.highlight(w, cb.lang, cb.code)
	w.WriteString("</code></pre>")
	if cb.cmd != "" {
		// How to run this very code: its Example function, in a checkout.
		fmt.Fprintf(w, `<p class="code-cmd"><code>$ %s</code></p>`, html.EscapeString(cb.cmd))
	}
	w.WriteString("</div>\n")
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderTabs(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	t := n.(*codeTabs)
	w.WriteString(`<div class="code-tabs"><div class="tab-list" role="tablist">`)
	i := 0
	for c := t.FirstChild(); c != nil; c = c.NextSibling() {
		cb := c.(*codeBlock)
		label := html.EscapeString(cb.tab)
		sel := "false"
		if i == 0 {
			sel = "true"
		}
		fmt.Fprintf(w, `<button type="button" role="tab" id="tab-%d-%d" aria-controls="panel-%d-%d" aria-selected="%s" data-tab="%s">%s</button>`,
			t.group, i, t.group, i, sel, label, label)
		i++
	}
	w.WriteString(`</div>`)
	i = 0
	for c := t.FirstChild(); c != nil; c = c.NextSibling() {
		cb := c.(*codeBlock)
		class := "tab-panel"
		if i == 0 {
			class += " active"
		}
		fmt.Fprintf(w, `<div class="%s" role="tabpanel" id="panel-%d-%d" aria-labelledby="tab-%d-%d" data-tab="%s">`,
			class, t.group, i, t.group, i, html.EscapeString(cb.tab))
		r.renderCode(w, src, cb, true)
		w.WriteString("</div>")
		i++
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderAlert(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	a := n.(*alert)
	if entering {
		fmt.Fprintf(w, `<div class="alert alert-%s" role="note"><p class="alert-title">%s</p>`+"\n",
			a.kind, html.EscapeString(a.title))
		return ast.WalkContinue, nil
	}
	w.WriteString("</div>\n")
	return ast.WalkContinue, nil
}
