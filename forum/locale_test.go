package forum

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/locales"
)

var messageIDRE = regexp.MustCompile(`"(forum\.[a-z_]+\.[a-z_]+)"`)

// TestMessagesLocalized finds every message ID the package's code uses and
// checks that it renders in English and Chinese with the data the errors
// carry, and that the locale files hold no IDs the code no longer uses.
func TestMessagesLocalized(t *testing.T) {
	used := map[string]bool{}
	files, _ := os.ReadDir(".")
	for _, fi := range files {
		name := fi.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range messageIDRE.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d message IDs in the source; the scan is broken", len(used))
	}
	fsys := os.DirFS("../locales")
	b, err := locales.NewBundle(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// Messages with an English "one" form take a plural count.
	var en map[string]map[string]string
	if _, err := toml.DecodeFS(fsys, "forum.en.toml", &en); err != nil {
		t.Fatal(err)
	}
	plural := map[string]bool{}
	for id, forms := range en {
		_, plural[id] = forms["one"]
	}
	data := map[string]any{"Min": 10, "Max": 5, "Seconds": 12, "Minutes": 3, "Wait": "3 minutes", "Count": 3, "Tag": "x", "Until": "2026-03-01"}
	for _, lang := range []string{"en", "zh"} {
		loc := i18n.NewLocalizer(b, lang)
		ids, err := locales.IDs(fsys, lang)
		if err != nil {
			t.Fatal(err)
		}
		defined := map[string]bool{}
		for _, id := range ids {
			defined[id] = true
		}
		var missing []string
		for id := range used {
			if !defined[id] {
				missing = append(missing, id)
				continue
			}
			counts := []any{nil}
			if plural[id] {
				counts = append(counts, 1, 3)
			}
			for _, n := range counts {
				msg, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
				if err != nil || msg == "" || strings.Contains(msg, "<no value>") {
					t.Errorf("%s %s (count %d): %q, %v", lang, id, n, msg, err)
				}
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: missing messages: %s", lang, strings.Join(missing, ", "))
		}
		for id := range defined {
			if strings.HasPrefix(id, "forum.error.") && !used[id] {
				t.Errorf("%s: %s is defined but no code uses it", lang, id)
			}
		}
	}
}
