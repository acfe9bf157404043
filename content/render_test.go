package content

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render from the current output")

// testLabels stands in for the portal's i18n lookup.
func testLabels(lang, id string) string {
	labels := map[string]map[string]string{
		"en": {
			"docs.alert.note": "Note", "docs.alert.tip": "Tip", "docs.alert.important": "Important",
			"docs.alert.warning": "Warning", "docs.alert.caution": "Caution", "docs.alert.deprecated": "Deprecated",
			"docs.sdk_support.title": "Supported versions", "docs.sdk_support.sdk": "SDK",
			"docs.sdk_support.deprecated_below": "Deprecated below", "docs.sdk_support.unsupported_below": "Unsupported below",
			"docs.sdk_support.upgrade": "Upgrade", "docs.sdk_support.upgrade_link": "Upgrade notes",
		},
		"zh": {
			"docs.alert.note": "注意", "docs.alert.tip": "提示", "docs.alert.important": "重要",
			"docs.alert.warning": "警告", "docs.alert.caution": "当心", "docs.alert.deprecated": "已弃用",
			"docs.sdk_support.title": "受支持的版本", "docs.sdk_support.sdk": "SDK",
			"docs.sdk_support.deprecated_below": "低于此版本即弃用", "docs.sdk_support.unsupported_below": "低于此版本即不受支持",
			"docs.sdk_support.upgrade": "升级", "docs.sdk_support.upgrade_link": "升级说明",
		},
	}
	if s, ok := labels[lang][id]; ok {
		return s
	}
	return "MISSING:" + id
}

// testIncludes is the source tree that ```go file=... blocks read from.
var testIncludes = fstest.MapFS{
	"examples/hello.go": {Data: []byte(`package main

import "fmt"

func main() {
	c := connect()
	// [START subscribe]
	sub, err := c.Subscribe(ctx, "news")
	if err != nil {
		return err
	}
	// [END subscribe]
	// [START publish]
	c.Publish(ctx, "news", []byte("hi"))
	// [END publish]
	fmt.Println(sub)
}
`)},
	"examples/split_test.go": {Data: []byte(`package examples

func TestQuickstart(t *testing.T) {
	// [START quickstart]
	c := connect()
	// [END quickstart]
	t.Cleanup(c.Close) // test-only, left out of the docs
	// [START quickstart]
	c.Subscribe(ctx, "news")
	// [END quickstart]
	// [START open]
	unclosed()
}
`)},
}

// renderCase renders testdata/render/<name>.md in lang and compares it with
// the golden file <name>.<lang>.html. want and absent spell out what a reader
// relies on, so that a golden file accepted with -update cannot quietly lose it.
type renderCase struct {
	name   string
	lang   string
	post   bool // untrusted forum renderer instead of the docs renderer
	want   []string
	absent []string
}

var renderCases = []renderCase{
	{name: "headings", lang: "en",
		want: []string{
			`<h1 id="快速入门">快速入门</h1>`,
			`<h2 id="快速入门-1">`,
			`<h2 id="presence-与历史记录">Presence 与历史记录<a class="anchor" href="#presence-与历史记录"`,
			`<h3 id="使用-go-sdk-订阅频道">`,
			`<h2 id="setup">`, `<h2 id="setup-1">`, `<h2 id="setup-2">`,
			`<h2 id="1-install-the-switchboard-cli">`,
			`<h2 id="café-crème">`,
			`<h2 id="using-jwt-tokens">`,
		},
		absent: []string{`id="heading"`, `jwtio`},
	},
	{name: "alerts", lang: "en",
		want: []string{
			`<div class="alert alert-note" role="note"><p class="alert-title">Note</p>`,
			`<div class="alert alert-tip" role="note"><p class="alert-title">Tip</p>`,
			`<div class="alert alert-important" role="note"><p class="alert-title">Important</p>`,
			`<div class="alert alert-warning" role="note"><p class="alert-title">Warning</p>`,
			`<div class="alert alert-caution" role="note"><p class="alert-title">Caution</p>`,
			`<div class="alert alert-deprecated" role="note"><p class="alert-title">Deprecated</p>`,
			"<p>Tokens expire after <strong>one hour</strong>.</p>",
			"<p>A lower-case marker works too, as on GitHub.</p>",
			"<blockquote>\n<p>This is an ordinary quotation,",
			"<blockquote>\n<p>[!NOTE] with text on the marker line is not an alert.</p>",
		},
		absent: []string{"<p>[!NOTE]</p>", "[!WARNING]", "[!tip]", "MISSING:"},
	},
	{name: "alerts", lang: "zh",
		want: []string{
			`<p class="alert-title">注意</p>`, `<p class="alert-title">提示</p>`, `<p class="alert-title">重要</p>`,
			`<p class="alert-title">警告</p>`, `<p class="alert-title">当心</p>`, `<p class="alert-title">已弃用</p>`,
		},
		absent: []string{`<p class="alert-title">Note</p>`, "MISSING:"},
	},
	{name: "tabs", lang: "en",
		want: []string{
			`id="tab-1-0" aria-controls="panel-1-0" aria-selected="true" data-tab="Go">Go</button>`,
			`id="tab-1-1" aria-controls="panel-1-1" aria-selected="false" data-tab="JavaScript">JavaScript</button>`,
			`data-tab="Shell (curl)">Shell (curl)</button>`,
			`<div class="tab-panel active" role="tabpanel" id="panel-2-0"`,
			"<p>A lone tabbed block stays a plain block:</p>\n<div class=\"code-block\" data-lang=\"go\">",
		},
		absent: []string{"tab-3-", "tab-1-2", "```"},
	},
	{name: "code", lang: "en",
		want: []string{
			`<code class="language-go"><span class="kn">package</span>`,
			`<span class="kd">func</span>`,
			`<span class="s">&#34;你好, &lt;world&gt; &amp; friends&#34;</span>`,
			`<div class="code-title">client.js</div><pre class="chroma" tabindex="0"><code class="language-js"><span class="kr">const</span>`,
			`<code class="language-nosuchlanguage">keep &lt;this&gt; &amp; that as plain text`,
			`<div class="code-block"><pre class="chroma" tabindex="0"><code>no language at all`,
			`data-lang="go" data-run="true"`,
		},
		absent: []string{"<this>"},
	},
	{name: "links", lang: "en",
		want: []string{
			`<a href="/en/docs/engine/channels#presence">channels</a>`,
			`<a href="/en/docs/">docs home</a>`,
			`<a href="/forum/">the forum</a>`,
			`<a href="https://go.dev/docs/">Go</a>`,
			`<a href="overview">a relative page</a>`,
		},
		absent: []string{`href="/docs/`, "/zh/"},
	},
	{name: "links", lang: "zh",
		want: []string{
			`<a href="/zh/docs/engine/channels#presence">channels</a>`,
			`<a href="/zh/docs/">docs home</a>`,
			`<a href="/forum/">the forum</a>`,
			`<a href="https://go.dev/docs/">Go</a>`,
		},
		absent: []string{`href="/docs/`, "/en/"},
	},
	{name: "tables", lang: "en",
		want: []string{
			"<table>\n<thead>\n<tr>\n<th style=\"text-align:left\">指标</th>",
			`<td style="text-align:right">99.5%</td>`,
			`<td style="text-align:center"><code>ack</code> based</td>`,
		},
		absent: []string{"| ---"},
	},
	{name: "include", lang: "en",
		want: []string{
			`<div class="code-title">hello.go</div>`,
			`<div class="code-title">Publishing</div>`,
			// The region starts at column 0: its common indentation is removed.
			`<code class="language-go"><span class="nx">sub</span>`,
			`<code class="language-go"><span class="nx">c</span><span class="p">.</span><span class="nf">Publish</span>`,
		},
		absent: []string{"[START", "[END"},
	},
	{name: "post", lang: "en", post: true,
		want: []string{
			`<h1 id="why-does-subscribe-fail">`,
			"not an include on the untrusted path",
			`<div class="alert alert-tip" role="note"><p class="alert-title">Tip</p>`,
		},
		absent: []string{"<script", "onclick", "javascript:", `<div class="x">`, `<b `, "code-title"},
	},
}

func TestRenderGolden(t *testing.T) {
	docs := NewDocsRenderer(testIncludes, testLabels)
	post := NewPostRenderer(testLabels)
	for _, tc := range renderCases {
		t.Run(tc.name+"."+tc.lang, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "render", tc.name+".md"))
			if err != nil {
				t.Fatal(err)
			}
			r := docs
			if tc.post {
				r = post
			}
			out, err := r.RenderLang(src, tc.lang)
			if err != nil {
				t.Fatalf("RenderLang: %v", err)
			}
			golden := filepath.Join("testdata", "render", tc.name+"."+tc.lang+".html")
			if *update {
				if err := os.WriteFile(golden, out.HTML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderGolden -update to create it)", err)
			}
			if !bytes.Equal(out.HTML, want) {
				t.Errorf("HTML differs from %s (run with -update if the change is intended)\ngot:\n%s\nwant:\n%s", golden, out.HTML, want)
			}
			for _, s := range tc.want {
				if !bytes.Contains(out.HTML, []byte(s)) {
					t.Errorf("got HTML without %q, want it present", s)
				}
			}
			for _, s := range tc.absent {
				if bytes.Contains(out.HTML, []byte(s)) {
					t.Errorf("got HTML containing %q, want it absent", s)
				}
			}
		})
	}
	t.Run("every input has a case", func(t *testing.T) {
		inputs, _ := filepath.Glob(filepath.Join("testdata", "render", "*.md"))
		if len(inputs) == 0 {
			t.Fatal("got no inputs in testdata/render, want some")
		}
		for _, in := range inputs {
			name := strings.TrimSuffix(filepath.Base(in), ".md")
			if !slices.ContainsFunc(renderCases, func(c renderCase) bool { return c.name == name }) {
				t.Errorf("got input %s with no case in renderCases, want one", in)
			}
		}
	})
}

func TestRenderTOCAndText(t *testing.T) {
	r := NewDocsRenderer(nil, testLabels)
	src := "# 频道\n\nIntro.\n\n## 订阅频道\n\n### Using [JWT](https://jwt.io) `tokens`\n\n#### Too deep\n\n## 订阅频道\n\n```go\nclient.Subscribe(ctx, \"news\")\n```\n"
	out, err := r.RenderLang([]byte(src), "zh")
	if err != nil {
		t.Fatal(err)
	}
	want := []Heading{
		{Level: 2, ID: "订阅频道", Text: "订阅频道"},
		{Level: 3, ID: "using-jwt-tokens", Text: "Using JWT tokens"},
		{Level: 2, ID: "订阅频道-1", Text: "订阅频道"},
	}
	if !slices.Equal(out.TOC, want) {
		t.Errorf("got TOC %+v, want %+v", out.TOC, want)
	}
	for _, s := range []string{"频道", "Intro.", "Too deep", `client.Subscribe(ctx, "news")`} {
		if !strings.Contains(out.Text, s) {
			t.Errorf("got plain text %q without %q, want it searchable", out.Text, s)
		}
	}
	if strings.Contains(out.Text, "<") || strings.Contains(out.Text, "jwt.io") {
		t.Errorf("got plain text %q with markup or link targets, want only what a reader sees", out.Text)
	}
}

func TestRenderIncludeErrors(t *testing.T) {
	cases := []struct {
		name    string
		r       *Renderer
		src     string
		wantErr string // "" when rendering must succeed
	}{
		{"missing file", NewDocsRenderer(testIncludes, testLabels), "```go file=examples/nope.go\n```\n", "examples/nope.go"},
		{"missing region", NewDocsRenderer(testIncludes, testLabels), "```go file=examples/hello.go region=teardown\n```\n", `region "teardown" not found`},
		{"path outside the tree", NewDocsRenderer(testIncludes, testLabels), "```go file=../secrets.go\n```\n", "../secrets.go"},
		{"no includes configured", NewDocsRenderer(nil, testLabels), "```go file=examples/hello.go\n```\n", "no source files configured"},
		{"error in a later block", NewDocsRenderer(testIncludes, testLabels), "```go file=examples/hello.go region=publish\n```\n\n```go file=examples/hello.go region=nope\n```\n", `region "nope" not found`},
		{"region never closed", NewDocsRenderer(testIncludes, testLabels), "```go file=examples/split_test.go region=open\n```\n", `region "open" not found or not closed`},
		{"posts never read files", NewPostRenderer(testLabels), "```go file=examples/nope.go\nx\n```\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.r.RenderLang([]byte(tc.src), "en")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got HTML %q and no error, want an error containing %q", out.HTML, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got error %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// A forum post can name any fence language it likes. Looking up a name that
// is not a lexer costs tens of milliseconds, so the number of such names that
// are looked up and cached is bounded; real languages keep highlighting.
func TestUnknownLanguagesBounded(t *testing.T) {
	count := func() int {
		n := 0
		lexerCache.Range(func(_, _ any) bool { n++; return true })
		return n
	}
	before := count()
	var src strings.Builder
	for i := range 3 * maxUnknownLexers {
		fmt.Fprintf(&src, "```madeup%d\nx := %d\n```\n\n", i, i)
	}
	r := NewPostRenderer(testLabels)
	if _, err := r.Render([]byte(src.String())); err != nil {
		t.Fatal(err)
	}
	if grown := count() - before; grown > maxUnknownLexers {
		t.Errorf("got %d new lexer cache entries after %d made-up languages, want at most %d", grown, 3*maxUnknownLexers, maxUnknownLexers)
	}
	for _, lang := range []string{"go", "Go", "GO", "golang", "yml"} {
		out, err := r.Render([]byte("```" + lang + "\nfunc f() {}\nkey: value\n```\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte(`<span class="`)) {
			t.Errorf("%s after many made-up languages: got %s, want highlighted tokens", lang, out)
		}
	}
}

// The docs renderer keeps highlighted code; what it serves from that cache
// must be what highlighting produces.
func TestHighlightCacheSameOutput(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "render", "code.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := NewDocsRenderer(nil, testLabels)
	first, err := docs.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	again, err := docs.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := NewPostRenderer(testLabels).Render(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) || !bytes.Equal(first, uncached) {
		t.Errorf("got different HTML from cache and from highlighting:\nfirst:\n%s\nagain:\n%s\nposts:\n%s", first, again, uncached)
	}
}

// A Renderer is shared by every request; run with -race.
func TestRenderConcurrent(t *testing.T) {
	docs := NewDocsRenderer(testIncludes, testLabels)
	inputs := map[string][]byte{}
	for _, name := range []string{"code", "tabs", "include", "headings"} {
		src, err := os.ReadFile(filepath.Join("testdata", "render", name+".md"))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = src
	}
	want := map[string][]byte{}
	for name, src := range inputs {
		out, err := docs.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = out
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for name, src := range inputs {
				out, err := docs.Render(src)
				if err == nil && !bytes.Equal(out, want[name]) {
					err = fmt.Errorf("goroutine %d, %s: got different HTML concurrently", g, name)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// FuzzPostRender feeds the untrusted forum path arbitrary Markdown: it must
// never fail, panic or pass a script through.
func FuzzPostRender(f *testing.F) {
	for _, s := range []string{
		"# 标题\n\n> [!NOTE]\n> x\n", "```go tab=Go\na\n```\n```js tab=JS\nb\n```\n", "<script>alert(1)</script>",
		"[x](javascript:alert(1))", "```go file=/etc/passwd region=x\n```\n", "> [!WARNING]\n", "```\"><img src=x onerror=alert(1)>\nx\n```\n",
		"| a |\n|---|\n| <script> |\n", "## [a](/docs/x)\n## [a](/docs/x)\n",
	} {
		f.Add(s)
	}
	r := NewPostRenderer(testLabels)
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.RenderLang([]byte(src), "zh")
		if err != nil {
			t.Fatalf("RenderLang(%q): %v", src, err)
		}
		if bytes.Contains(bytes.ToLower(out.HTML), []byte("<script")) {
			t.Fatalf("RenderLang(%q): got %s, want no <script>", src, out.HTML)
		}
	})
}

// A region may be split to leave test-only lines out; the reader sees the
// pieces joined, without markers or the lines between.
func TestIncludeSplitRegion(t *testing.T) {
	r := NewDocsRenderer(testIncludes, testLabels)
	out, err := r.RenderLang([]byte("```go file=examples/split_test.go region=quickstart\n```\n"), "en")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.Text, "c := connect()\nc.Subscribe(ctx, \"news\")\n"; !strings.Contains(got, want) {
		t.Errorf("got text %q, want it to contain %q", got, want)
	}
	for _, s := range []string{"Cleanup", "START", "END"} {
		if strings.Contains(out.Text, s) {
			t.Errorf("got text %q containing %q, want it left out", out.Text, s)
		}
	}
}
