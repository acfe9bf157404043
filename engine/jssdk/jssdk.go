// Package jssdk holds Switchboard's JavaScript SDK: switchboard.js, one ES
// module with no build step and no dependencies, and its TypeScript
// declarations, switchboard.d.ts. The portal serves these files at
// /sdk/v1/; the module speaks the protocol in engine/PROTOCOL.md and mirrors
// the Go SDK in engine/client. Runnable examples, which the docs include,
// live in examples/ and are executed in headless Chromium by the root
// package's end-to-end tests.
package jssdk

import (
	"embed"
	"io/fs"
)

//go:embed *.js *.d.ts
var files embed.FS

// FS returns the SDK files: switchboard.js and switchboard.d.ts.
func FS() fs.FS { return files }
