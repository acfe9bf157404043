package main

import "embed"

// includeFS holds the source files that docs code blocks include with
// file=..., so the code in the docs is the code the tests compile and run.
// Add a pattern here when a docs page includes a new file.
//
//go:embed main.go
var includeFS embed.FS
