package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The sandbox shows the app's server API key and a curl command; pasted
// into a shell, the command publishes, and bob's card receives it.
func TestSandboxShowsAPIKeyAndCurl(t *testing.T) {
	m, ctx := sandboxBrowser(t)
	bob := fmt.Sprintf(paneCard, "bob")
	must(t, ctx, "open the sandbox", chromedp.Navigate(m.URL()+"/en/docs/sandbox/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-sandbox-tryit]`)),
		chromedp.Click(chromedp.CSS(`[data-sandbox-tryit]`)),
		waitText(`#sandbox-pane .sb-api-key`, "sb_"),
		waitText(`#sandbox-pane .sb-curl`, "/v1/api/publish"),
		waitText(bob+" .sb-log", "Subscribed to demo"))
	key := text(t, ctx, `#sandbox-pane .sb-api-key`)
	curl := text(t, ctx, `#sandbox-pane .sb-curl`)
	if !strings.Contains(curl, "Bearer "+key) || !strings.Contains(curl, m.URL()) {
		t.Fatalf("curl %q does not use the key %q and this server", curl, key)
	}
	out, err := exec.Command("sh", "-c", curl).CombinedOutput()
	if err != nil {
		t.Fatalf("the sandbox's curl: %v\n%s", err, out)
	}
	var pos struct{ Offset uint64 }
	if json.Unmarshal(out, &pos) != nil || pos.Offset == 0 {
		t.Fatalf("the sandbox's curl printed %s, want a position", out)
	}
	must(t, ctx, "bob receives the server's message", waitText(bob+` .sb-log li[data-kind="message"]`, "hello from curl"))
}
