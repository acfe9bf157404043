package content

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// rawBlocks returns, for each file= block of raw Markdown (not those
// shown inside another fence), its info string and the code between its
// fences, with the fence's indentation removed.
func rawBlocks(t *testing.T, raw string) (infos, codes []string) {
	t.Helper()
	var open, indent string // the open fence's marker and indentation
	var code *strings.Builder
	for _, l := range strings.SplitAfter(raw, "\n") {
		body := strings.TrimLeft(l, " \t>")
		marker := body[:len(body)-len(strings.TrimLeft(body, "`~"))]
		if len(marker) >= 3 && strings.Trim(marker, marker[:1]) == "" {
			switch {
			case open == "":
				open, indent = marker, l[:len(l)-len(body)]
				if info := strings.TrimSpace(body[len(marker):]); strings.Contains(info, "file=") {
					infos, code = append(infos, info), &strings.Builder{}
				}
				continue
			case strings.HasPrefix(marker, open) && strings.TrimSpace(body[len(marker):]) == "":
				if code != nil {
					codes = append(codes, code.String())
				}
				open, code = "", nil
				continue
			}
		}
		if code != nil {
			if strings.HasPrefix(l, indent) {
				l = l[len(indent):]
			} else {
				l = strings.TrimPrefix(l, strings.TrimRight(indent, " \t"))
			}
			code.WriteString(l)
		}
	}
	if open != "" {
		t.Fatalf("a %s fence is not closed", open)
	}
	return infos, codes
}

// Every docs page's raw Markdown (what /llms.txt points tools to) holds the
// code of its file= blocks: the same code the HTML page shows.
func TestRawMarkdownHasIncludedCode(t *testing.T) {
	r := NewDocsRenderer(os.DirFS(".."), testLabels)
	site, err := Load(Docs(), r)
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, lang := range Languages {
		for _, p := range site.Pages(lang) {
			infos, codes := rawBlocks(t, string(p.Raw))
			for i, info := range infos {
				blocks++
				_, attrs := parseInfo(info)
				want, err := r.include(attrs["file"], attrs["region"])
				if err != nil {
					t.Fatal(err)
				}
				if strings.TrimSpace(codes[i]) == "" {
					t.Errorf("%s/%s: block %q is empty in the raw Markdown", lang, p.Path, info)
				} else if codes[i] != want {
					t.Errorf("%s/%s: block %q holds\n%s\nwant the included code\n%s", lang, p.Path, info, codes[i], want)
				}
			}
		}
	}
	t.Logf("%d file= blocks checked", blocks)
	if blocks < 14 {
		t.Errorf("found %d file= blocks in all pages, want at least the 14 of the English docs", blocks)
	}
}

// The included code keeps the fence's indentation (a block in a list
// item), and the rest of the page is left as written.
func TestRawMarkdownIncludeInListItem(t *testing.T) {
	fsys := fstest.MapFS{
		"en/index.md": {Data: []byte("---\ntitle: Home\n---\n\n1. Step one:\n\n   ```go file=src/a.go region=r\n   ```\n\n2. Done.\n")},
		"src/a.go":    {Data: []byte("package a\n\n// [START r]\nfunc A() {\n\n\treturn\n}\n// [END r]\n")},
	}
	site, err := Load(fstest.MapFS{"en/index.md": fsys["en/index.md"]}, NewDocsRenderer(fsys, testLabels))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := site.Page("en", "")
	want := "---\ntitle: Home\n---\n\n1. Step one:\n\n   ```go file=src/a.go region=r\n   func A() {\n\n   \treturn\n   }\n   ```\n\n2. Done.\n"
	if string(p.Raw) != want {
		t.Errorf("raw Markdown:\n%s\nwant:\n%s", p.Raw, want)
	}
}
