package content

import (
	"bytes"
	"flag"
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
			"docs.alert.warning": "Warning", "docs.alert.caution": "Caution",
		},
		"zh": {
			"docs.alert.note": "注意", "docs.alert.tip": "提示", "docs.alert.important": "重要",
			"docs.alert.warning": "警告", "docs.alert.caution": "当心",
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
}

func TestRenderGolden(t *testing.T) {
	docs := NewDocsRenderer(testIncludes, testLabels)
	post := NewPostRenderer(testLabels)
	cases := []struct {
		name   string // input testdata/render/<name>.md, golden <name>.<lang>.html
		lang   string
		post   bool
		want   []string // what a reader relies on, checked besides the golden file
		absent []string
	}{
		{name: "headings", lang: "en"},
		{name: "alerts", lang: "en"},
		{name: "alerts", lang: "zh"},
		{name: "tabs", lang: "en"},
		{name: "code", lang: "en"},
		{name: "links", lang: "en"},
		{name: "links", lang: "zh"},
		{name: "tables", lang: "en"},
		{name: "include", lang: "en"},
		{name: "post", lang: "en", post: true},
	}
	for _, tc := range cases {
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
		for _, in := range inputs {
			name := strings.TrimSuffix(filepath.Base(in), ".md")
			if !slices.ContainsFunc(cases, func(c struct {
				name, lang string
				post       bool
				want       []string
				absent     []string
			}) bool {
				return c.name == name
			}) {
				t.Errorf("got input %s with no test case, want one", in)
			}
		}
	})
}
