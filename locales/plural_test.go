package locales

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// A message that shows a count must localize for every count in both
// languages: English needs a "one" form, or a count of one shows the raw
// message ID (as "sla.dash.overdue_n" once did on the dashboard).
func TestCountedMessagesLocalizeForOne(t *testing.T) {
	b, err := NewBundle(FS())
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(FS(), "*.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	var counted []string
	for _, f := range files {
		data, err := fs.ReadFile(FS(), f)
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "[") {
				id = strings.Trim(strings.TrimSpace(line), `[]"`)
			}
			if strings.Contains(line, "{{.Count}}") && id != "" {
				counted = append(counted, id)
				id = ""
			}
		}
	}
	if len(counted) < 5 {
		t.Fatalf("found only %d counted messages; the scan is broken", len(counted))
	}
	for _, lang := range []string{"en", "zh"} {
		loc := i18n.NewLocalizer(b, lang)
		for _, id := range counted {
			for _, n := range []int{0, 1, 2, 21} {
				if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}}); err != nil {
					t.Errorf("%s: %s with Count %d: %v", lang, id, n, err)
				}
			}
		}
	}
}
