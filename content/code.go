package content

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// codeBlock replaces goldmark's fenced code block. Its info string is
// "LANG key=value ...": tab="Label" puts the block in a tab group with its
// neighbours, file=path (region=name) takes the code from a real source file,
// title="..." names the block, and run marks a snippet the sandbox can run.
type codeBlock struct {
	ast.BaseBlock
	lang  string
	code  string
	tab   string
	title string
	run   bool
	// cmd runs the example the code comes from, for code included from a
	// Go Example function: go test -run '^Example_x$' -v ./dir.
	cmd string
}

var kindCodeBlock = ast.NewNodeKind("SwitchboardCodeBlock")

func (n *codeBlock) Kind() ast.NodeKind { return kindCodeBlock }
func (n *codeBlock) IsRaw() bool        { return true }
func (n *codeBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"lang": n.lang, "tab": n.tab}, nil)
}

type codeTransformer struct {
	r       *Renderer
	trusted bool
}

func (t *codeTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	for _, fc := range nodesOf[*ast.FencedCodeBlock](doc) {
		var info string
		if fc.Info != nil {
			info = string(fc.Info.Segment.Value(src))
		}
		lang, attrs := parseInfo(info)
		var code strings.Builder
		for i := 0; i < fc.Lines().Len(); i++ {
			seg := fc.Lines().At(i)
			code.Write(seg.Value(src))
		}
		if lang == SDKSupportLang && t.trusted {
			n, err := sdkSupportNode(pc, code.String())
			if err != nil {
				addErr(pc, err)
				continue
			}
			fc.Parent().ReplaceChild(fc.Parent(), fc, n)
			continue
		}
		cb := &codeBlock{lang: lang, code: code.String(), tab: attrs["tab"], title: attrs["title"]}
		_, cb.run = attrs["run"]
		if file := attrs["file"]; file != "" && t.trusted {
			inc, err := t.r.include(file, attrs["region"])
			if err == nil {
				err = spliceInclude(pc, fc, src, inc)
			}
			if err != nil {
				addErr(pc, err)
			} else {
				cb.code = inc
				cb.cmd = t.r.exampleCommand(file, attrs["region"])
				if cb.title == "" {
					cb.title = file[strings.LastIndex(file, "/")+1:]
				}
			}
		}
		fc.Parent().ReplaceChild(fc.Parent(), fc, cb)
	}
}

// splice replaces src[start:end] with text in the Markdown that tools read.
type splice struct {
	start, end int
	text       string
}

// spliceInclude records that the fenced block fc, whose code comes from a
// file, holds code in the raw Markdown too: the included lines go between
// its fences, indented like the opening fence (a block in a list item).
// Tools that read /…/page.md (llms.txt points them there) would otherwise
// see an empty block.
func spliceInclude(pc parser.Context, fc *ast.FencedCodeBlock, src []byte, code string) error {
	if fc.Info == nil {
		return nil
	}
	info := fc.Info.Segment
	lineStart := bytes.LastIndexByte(src[:info.Start], '\n') + 1
	fence := bytes.IndexAny(src[lineStart:info.Start], "`~")
	if fence < 0 {
		return nil
	}
	indent := string(src[lineStart : lineStart+fence])
	marker := src[lineStart+fence : info.Start]
	marker = marker[:len(marker)-len(bytes.TrimLeft(marker, string(marker[:1])))]
	start := bytes.IndexByte(src[info.Stop:], '\n')
	if start < 0 {
		return fmt.Errorf("include: code block at byte %d has no closing fence", lineStart)
	}
	start += info.Stop + 1
	end := start
	if n := fc.Lines().Len(); n > 0 {
		end = fc.Lines().At(n - 1).Stop
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(code, "\n") {
		if l == "" {
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), string(marker)) {
			return fmt.Errorf("include: a line of the code closes its %s fence: %q", marker, strings.TrimSpace(l))
		}
		if strings.TrimSpace(l) == "" {
			b.WriteString(strings.TrimRight(indent, " \t"))
		} else {
			b.WriteString(indent)
		}
		b.WriteString(l)
	}
	if s := b.String(); s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	splices, _ := pc.Get(parserKeySplices).([]splice)
	pc.Set(parserKeySplices, append(splices, splice{start: start, end: end, text: b.String()}))
	return nil
}

// applySplices returns src with the splices (in source order) applied.
func applySplices(src []byte, splices []splice) []byte {
	if len(splices) == 0 {
		return src
	}
	var out bytes.Buffer
	at := 0
	for _, s := range splices {
		out.Write(src[at:s.start])
		out.WriteString(s.text)
		at = s.end
	}
	out.Write(src[at:])
	return out.Bytes()
}

// parseInfo splits a fence info string into its language and key=value
// attributes; values may be double-quoted, and bare words are flags.
func parseInfo(info string) (string, map[string]string) {
	attrs := map[string]string{}
	info = strings.TrimSpace(info)
	lang, rest, _ := strings.Cut(info, " ")
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		key, after, hasEq := strings.Cut(rest, "=")
		if sp := strings.IndexByte(key, ' '); sp >= 0 || !hasEq {
			if sp < 0 {
				sp = len(key)
			}
			attrs[key[:sp]] = ""
			rest = rest[sp:]
			continue
		}
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				val, rest = after[1:], ""
			} else {
				val, rest = after[1:end+1], after[end+2:]
			}
		} else {
			val, rest, _ = strings.Cut(after, " ")
		}
		attrs[key] = val
	}
	return lang, attrs
}

// include reads file from the includes FS. With a region, only the lines
// between "[START region]" and "[END region]" markers are kept, with their
// common indentation removed.
func (r *Renderer) include(file, region string) (string, error) {
	if r.includes == nil {
		return "", fmt.Errorf("include %s: no source files configured", file)
	}
	b, err := fs.ReadFile(r.includes, file)
	if err != nil {
		return "", fmt.Errorf("include %s: %w", file, err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if region != "" {
		// A region may be split into several START/END segments (to leave
		// test-only lines out); the segments are joined in order.
		var picked []string
		inside, found := false, false
		for _, l := range lines {
			switch {
			case strings.Contains(l, "[START "+region+"]"):
				inside, found = true, true
			case strings.Contains(l, "[END "+region+"]"):
				inside = false
			case inside:
				picked = append(picked, l)
			}
		}
		if !found || inside {
			return "", fmt.Errorf("include %s: region %q not found or not closed", file, region)
		}
		lines = picked
	}
	// Region markers are for the docs tooling, not for the reader.
	kept := make([]string, 0, len(lines))
	for _, l := range lines {
		if !regionMarker.MatchString(l) {
			kept = append(kept, l)
		}
	}
	return dedent(kept), nil
}

var exampleFunc = regexp.MustCompile(`^func (Example\w*)\(`)

// exampleCommand returns the go test command that runs the Example
// function holding region in a Go test file, or "" when the code is not
// in one.
func (r *Renderer) exampleCommand(file, region string) string {
	if !strings.HasSuffix(file, "_test.go") || region == "" {
		return ""
	}
	b, err := fs.ReadFile(r.includes, file)
	if err != nil {
		return ""
	}
	name := ""
	for _, l := range strings.Split(string(b), "\n") {
		if m := exampleFunc.FindStringSubmatch(l); m != nil {
			name = m[1]
		}
		if strings.Contains(l, "[START "+region+"]") {
			if name == "" {
				return ""
			}
			return fmt.Sprintf("go test -run '^%s$' -v ./%s", name, path.Dir(file))
		}
	}
	return ""
}

var regionMarker = regexp.MustCompile(`\[(START|END) [^\]]+\]`)

func dedent(lines []string) string {
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	var b strings.Builder
	for _, l := range lines {
		if len(l) >= indent && indent > 0 && strings.TrimSpace(l) != "" {
			l = l[indent:]
		}
		b.WriteString(l)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// maxUnknownLexers bounds how many names that are not a lexer's name, alias
// or file extension are looked up and cached. Such a look-up matches the name against
// every lexer's file patterns (about 25 ms), and forum posts choose their
// fence languages freely: without a bound, each new made-up name would cost
// that time and stay in the cache forever.
const maxUnknownLexers = 64

var (
	lexerCache   sync.Map // lower-cased language name -> chroma.Lexer
	unknownNames atomic.Int32
	lexerNames   = sync.OnceValue(func() map[string]bool {
		names := map[string]bool{}
		for _, n := range lexers.Names(true) {
			names[strings.ToLower(n)] = true
		}
		// File extensions name languages too: ```yml is YAML.
		for _, l := range lexers.GlobalLexerRegistry.Lexers {
			for _, g := range l.Config().Filenames {
				if ext, ok := strings.CutPrefix(g, "*."); ok && !strings.ContainsAny(ext, "*?[") {
					names[strings.ToLower(ext)] = true
				}
			}
		}
		return names
	})
	formatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))
)

func lexerFor(lang string) chroma.Lexer {
	key := strings.ToLower(lang)
	if l, ok := lexerCache.Load(key); ok {
		return l.(chroma.Lexer)
	}
	if !lexerNames()[key] {
		if key == "" || unknownNames.Load() >= maxUnknownLexers {
			return plainLexer
		}
		unknownNames.Add(1)
	}
	l := lexers.Get(key)
	if l == nil {
		l = lexers.Fallback
	}
	l = chroma.Coalesce(l)
	lexerCache.Store(key, l)
	return l
}

var plainLexer = chroma.Coalesce(lexers.Fallback)

// highlight writes code as chroma token spans with CSS classes.
func highlight(w util.BufWriter, lang, code string) {
	it, err := lexerFor(lang).Tokenise(nil, code)
	if err != nil {
		w.WriteString(string(util.EscapeHTML([]byte(code))))
		return
	}
	if err := formatter.Format(w, styles.Get("github"), it); err != nil {
		w.WriteString(string(util.EscapeHTML([]byte(code))))
	}
}

// highlightCache keeps the docs' highlighted code. Highlighting is most of
// the time spent rendering a page (about 0.1 ms for a three-line Go sample),
// a Chinese page repeats the code blocks of its English page, and a -dev
// reload renders unchanged code again. Its size is bounded; when full, new
// blocks are highlighted each time. A nil cache highlights every time.
type highlightCache struct {
	mu    sync.Mutex
	m     map[string]string // lang NUL code -> HTML
	bytes int
}

const maxHighlightCacheBytes = 16 << 20

func (c *highlightCache) highlight(w util.BufWriter, lang, code string) {
	if c == nil {
		highlight(w, lang, code)
		return
	}
	key := lang + "\x00" + code
	c.mu.Lock()
	out, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		var b bytes.Buffer
		bw := bufio.NewWriter(&b)
		highlight(bw, lang, code)
		bw.Flush()
		out = b.String()
		c.mu.Lock()
		if _, dup := c.m[key]; !dup && c.bytes+len(key)+len(out) <= maxHighlightCacheBytes {
			c.m[key] = out
			c.bytes += len(key) + len(out)
		}
		c.mu.Unlock()
	}
	w.WriteString(out)
}
