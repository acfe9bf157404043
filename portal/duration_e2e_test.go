package portal

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chromium "github.com/switchboard-rtm/switchboard/internal/browser"
)

// The browser writes durations exactly as the server does: duration.js's
// formatDuration, with the unit words the sandbox page carries, gives
// localizer.Duration's text for every value, in English and Chinese.
func TestDurationInBrowser(t *testing.T) {
	st := newSandboxServer(t)
	ctx := chromium.New(t)
	const (
		s = time.Second
		m = time.Minute
		h = time.Hour
		d = 24 * time.Hour
	)
	table := []time.Duration{0, s, 59 * s, 60 * s, 90 * s, 59*m + 30*s, h, 2*h + 14*m, 23 * h, 26 * h, 3*d + 4*h, 12 * d,
		// and the edges of the rounding: under a second, a carry, negative
		300 * time.Millisecond, 9*m + 59*s, 10*m + 30*s, 9*h + 59*m + 40*s, -(2*h + 14*m)}
	ms := make([]int64, len(table))
	for i, v := range table {
		ms[i] = v.Milliseconds()
	}
	msJSON, _ := json.Marshal(ms)
	for _, lang := range []string{"en", "zh"} {
		loc := st.s.localizer(lang)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(st.url+"/"+lang+"/sandbox"),
			chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.documentElement.classList.contains('js')`, chromedp.WithPollingTimeout(10*time.Second)),
		); err != nil {
			t.Fatalf("%s sandbox page: %v", lang, err)
		}
		js := fmt.Sprintf(`(async () => {
			const site = document.querySelector('script[type=module][src*="/js/site.js"]').src;
			const { formatDuration } = await import(new URL('duration.js', site));
			const words = JSON.parse(document.getElementById('sandbox-data').textContent).Durations;
			return %s.map((ms) => formatDuration(ms, words));
		})()`, msJSON)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s formatDuration: %v", lang, err)
		}
		if len(got) != len(table) {
			t.Fatalf("%s: %d results for %d durations", lang, len(got), len(table))
		}
		for i, v := range table {
			if want := loc.Duration(v); got[i] != want {
				t.Errorf("%s %v: browser %q, server %q", lang, v, got[i], want)
			}
		}
		if lang == "zh" && !strings.Contains(strings.Join(got, " "), "小时") {
			t.Errorf("zh durations %q are not in Chinese", got)
		}
	}
}
