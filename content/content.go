// Package content holds Switchboard's documentation: the Markdown pages in
// English and Simplified Chinese, the one goldmark configuration that renders
// them (and, on a separate untrusted path, forum posts), the navigation tree,
// translation status, and the full-text search index.
//
// Nothing here knows about HTTP: the portal asks a Site for pages and an
// Index for search results.
package content

import (
	"embed"
	"io/fs"
)

//go:embed docs
var embedded embed.FS

// Docs returns the embedded docs tree, rooted so that "en/index.md" is the
// English docs home. In development the portal swaps in os.DirFS.
func Docs() fs.FS {
	sub, err := fs.Sub(embedded, "docs")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}

// Languages lists the docs languages, the source language first.
var Languages = []string{"en", "zh"}

// SourceLang is the language every translation is made from.
const SourceLang = "en"
