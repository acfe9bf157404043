package content

import (
	"strings"
	"testing"
	"unicode"
)

func TestSlug(t *testing.T) {
	cases := []struct{ in, want string }{
		{"快速入门", "快速入门"},
		{"Presence 与历史记录", "presence-与历史记录"},
		{"使用 Go SDK 订阅频道", "使用-go-sdk-订阅频道"},
		{"  Hello,   World!  ", "hello-world"},
		{"什么是 Switchboard？", "什么是-switchboard"},
		{"a - b -- c", "a-b-c"},
		{"snake_case name", "snake_case-name"},
		{"Café & Crème", "café-crème"},
		{"Version 2.0", "version-20"},
		{"???", ""},
		{"全角\u3000空格", "全角-空格"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := Slug(tc.in); got != tc.want {
				t.Errorf("Slug(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHeadingIDsUnique(t *testing.T) {
	ids := newHeadingIDs()
	var got []string
	for _, h := range []string{"Setup", "Setup", "Setup-1", "Setup", "", "!!"} {
		got = append(got, string(ids.Generate([]byte(h), 0)))
	}
	want := []string{"setup", "setup-1", "setup-1-1", "setup-2", "section", "section-1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"快速入门", "Hello, World", " - ", "a\u00a0b", "x\u3000y", "\xff\xfe", "Ǆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slug(s)
		if strings.ContainsFunc(got, unicode.IsSpace) {
			t.Errorf("Slug(%q) = %q, want no spaces", s, got)
		}
		if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Errorf("Slug(%q) = %q, want no leading, trailing or doubled dashes", s, got)
		}
		if again := Slug(got); again != got {
			t.Errorf("Slug(Slug(%q)) = %q, want %q: a slug is its own slug", s, again, got)
		}
	})
}
