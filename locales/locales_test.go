package locales

import (
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Every message must exist in both languages: a missing ID would show a
// reader a raw message ID or the wrong language.
func TestEveryMessageInBothLanguages(t *testing.T) {
	missing, err := Missing(FS())
	if err != nil {
		t.Fatal(err)
	}
	for lang, ids := range missing {
		for _, id := range ids {
			t.Errorf("message %q is missing in %s", id, lang)
		}
	}
	en, _ := IDs(FS(), "en")
	if len(en) < 20 {
		t.Fatalf("only %d English messages loaded; the locale files are not being read", len(en))
	}
}

func TestBundleLocalizes(t *testing.T) {
	b, err := NewBundle(FS())
	if err != nil {
		t.Fatal(err)
	}
	en, _ := IDs(FS(), "en")
	for _, lang := range []string{"en", "zh"} {
		loc := i18n.NewLocalizer(b, lang)
		for _, id := range en {
			if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id}); err != nil {
				t.Errorf("%s: %s: %v", lang, id, err)
			}
		}
	}
	got := i18n.NewLocalizer(b, "zh").MustLocalize(&i18n.LocalizeConfig{MessageID: "nav.docs"})
	if got != "文档" {
		t.Errorf("zh nav.docs = %q, want 文档", got)
	}
}

func TestMissingDetectsGaps(t *testing.T) {
	fsys := mapFS{"a.en.toml": "[x]\nother = \"X\"\n[y]\nother = \"Y\"\n", "a.zh.toml": "[x]\nother = \"叉\"\n"}
	m, err := Missing(fsys.FS())
	if err != nil {
		t.Fatal(err)
	}
	if len(m["zh"]) != 1 || m["zh"][0] != "y" || len(m["en"]) != 0 {
		t.Fatalf("Missing = %v, want zh:[y] en:[]", m)
	}
}
