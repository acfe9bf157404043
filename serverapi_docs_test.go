package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
)

var updateReference = flag.Bool("update-api-reference", false, "rewrite the server API reference pages from openapi.json")

// The server API reference pages (en, zh) are rendered from the OpenAPI
// document the server serves; run with -update-api-reference after
// changing openapi.json. The Chinese page records the English page's
// source_hash, as every translation does.
func TestServerAPIReferencePagesMatchOpenAPI(t *testing.T) {
	en, err := serverapi.Reference("en")
	if err != nil {
		t.Fatal(err)
	}
	zh, err := serverapi.Reference("zh")
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(strings.TrimPrefix(en, "---\n"), "\n---\n")
	if !ok {
		t.Fatal("reference page without front matter")
	}
	title := ""
	for _, l := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(l, "title: "); ok {
			title = v
		}
	}
	hash := content.SourceHash(content.FrontMatter{Title: title}, []byte(body))
	zh = strings.Replace(zh, "\n---\n", "\nsource_hash: "+hash+"\n---\n", 1)
	for path, want := range map[string]string{
		"content/docs/en/engine/server-api-reference.md": en,
		"content/docs/zh/engine/server-api-reference.md": zh,
	} {
		if *updateReference {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s is not what openapi.json renders; run go test -run TestServerAPIReferencePagesMatchOpenAPI -update-api-reference .", path)
		}
	}
	for _, rt := range serverapi.Routes() {
		if !strings.Contains(en, "## "+rt.Method+" "+rt.Path+"\n") || !strings.Contains(zh, "## "+rt.Method+" "+rt.Path+"\n") {
			t.Errorf("the reference pages lack %s %s", rt.Method, rt.Path)
		}
	}
}
