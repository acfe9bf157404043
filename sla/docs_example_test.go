package sla

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// The admin guide shows an excerpt of the built-in 2027 file as the format
// to upload: it must be a valid year file whose dates are the shipped ones.
func TestAdminGuideCalendarExample(t *testing.T) {
	reg, err := LoadCalendars(EmbeddedCalendars(), "")
	if err != nil {
		t.Fatal(err)
	}
	shipped, _ := reg.Calendar("cn").Year(2027)
	for _, lang := range []string{"en", "zh"} {
		page, err := os.ReadFile("../content/docs/" + lang + "/community/admin-guide.md")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(page), "```json\n")
		block, _, ok2 := strings.Cut(rest, "```")
		if !ok || !ok2 {
			t.Fatalf("%s admin guide: no json example", lang)
		}
		f, err := ParseYearFile([]byte(block))
		if err != nil {
			t.Fatalf("%s admin guide example: %v", lang, err)
		}
		for _, h := range f.Holidays {
			var want *Holiday
			for i := range shipped.Holidays {
				if shipped.Holidays[i].Name == h.Name {
					want = &shipped.Holidays[i]
				}
			}
			if want == nil || !reflect.DeepEqual(h.Off, want.Off) || !reflect.DeepEqual(h.Work, want.Work) {
				t.Errorf("%s admin guide: %s differs from the shipped 2027 file", lang, h.Name.En)
			}
		}
	}
}
