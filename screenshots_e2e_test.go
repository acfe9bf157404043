package main

// The README's screenshots, taken in Chromium at 1280×800 from a fresh
// server with the demo data. Every run takes them (a page that cannot be
// shot fails the test); with UPDATE_SCREENSHOT=1 they replace the files
// under docs/:
//
//	UPDATE_SCREENSHOT=1 go test -run TestREADMEScreenshots .

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/internal/browser"
)

func TestREADMEScreenshots(t *testing.T) {
	base := startTestMain(t).URL()
	ctx := browser.New(t)
	dir := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		dir = "docs"
	}
	size := viewport{browser.Width, browser.Height}
	for _, s := range []struct {
		file, scheme, path, wait string
	}{
		{"screenshot-docs.png", "light", "/en/docs/overview", ""},
		{"screenshot-docs-dark.png", "dark", "/en/docs/engine/channels", ""},
		{"screenshot-sandbox.png", "light", "/en/sandbox", `[...document.querySelectorAll('.sb-badge')].some(b => b.dataset.state === 'connected')`},
		{"screenshot-forum.png", "light", "/en/forum", ""},
		{"screenshot-status.png", "dark", "/en/status", ""},
	} {
		emulate(t, ctx, size, s.scheme)
		navigate(t, ctx, base+s.path)
		if s.wait != "" {
			if err := chromedp.Do(short(t, ctx), chromedp.Poll[chromedp.Void](s.wait)); err != nil {
				t.Fatalf("%s: %v", s.file, err)
			}
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10_000 {
			t.Fatalf("%s: %d bytes, not a screenshot of a page", s.file, len(png))
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", filepath.Join(dir, s.file), len(png))
	}
}
