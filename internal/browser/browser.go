// Package browser starts headless Chromium for tests that drive pages as a
// person would, through chromedp. It is the one place that knows how to find
// and start the browser:
//
//	ctx := browser.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
//		t.Fatal(err)
//	}
//
// New looks for CHROMIUM_PATH, then /usr/bin/chromium (Debian's package),
// then chromium, chromium-browser and google-chrome on PATH. When none is
// installed the test is skipped with a message, except under CI=true, where
// a missing browser fails the test: CI must run the browser tests.
package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds everything one test does in the browser, so that a page
// that never shows what the test waits for fails the test instead of
// hanging it.
const Timeout = 90 * time.Second

// Width and Height are the window size, the common laptop viewport that
// screenshots are taken at.
const (
	Width  = 1280
	Height = 800
)

// New starts a fresh headless Chromium with its own profile in
// t.TempDir() and returns a chromedp context for its first tab. The
// browser stops when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser: no Chromium found and CI=true: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH")
		}
		t.Skip("browser: no Chromium found; install Debian's chromium or set CHROMIUM_PATH to run this test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(Width, Height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	stop := func() {
		cancelTab()
		cancelAlloc() // waits for the process to exit, before TempDir is removed
	}
	// The first action starts the browser; it must run on a context without
	// a deadline, which would stop the browser when it passed.
	if err := chromedp.Do(ctx); err != nil {
		stop()
		t.Fatalf("browser: start %s: %v", path, err)
	}
	t.Cleanup(stop)
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	t.Cleanup(cancel)
	return ctx
}

// Path returns the Chromium executable to use, or "" when there is none.
func Path() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
