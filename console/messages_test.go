package console_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/locales"
)

// TestMessageIDsExist checks that every message ID the console's errors
// name is in the locale files, in English and Chinese.
func TestMessageIDsExist(t *testing.T) {
	b, err := locales.NewBundle(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(console\.error\.[a-z_]+)"`)
	seen := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			seen++
			for _, lang := range []string{"en", "zh"} {
				if _, err := i18n.NewLocalizer(b, lang).Localize(&i18n.LocalizeConfig{MessageID: string(m[1])}); err != nil {
					t.Errorf("%s: %s has no %s message: %v", f, m[1], lang, err)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no message IDs: the pattern is wrong")
	}
}
