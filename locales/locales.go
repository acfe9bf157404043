// Package locales holds every user-visible UI string of the portal as
// go-i18n message files, one pair per area: AREA.en.toml and AREA.zh.toml.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var embedded embed.FS

// FS returns the embedded message files.
func FS() fs.FS { return embedded }

// Languages are the UI languages, the default first.
var Languages = []language.Tag{language.English, language.Chinese}

// NewBundle loads every *.toml file of fsys into a go-i18n bundle.
func NewBundle(fsys fs.FS) (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", f, err)
		}
	}
	return b, nil
}

// IDs returns the message IDs defined for lang ("en" or "zh") across all
// files of fsys, sorted.
func IDs(fsys fs.FS, lang string) ([]string, error) {
	files, err := fs.Glob(fsys, "*."+lang+".toml")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range files {
		var m map[string]any
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if err := toml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for id := range m {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Missing compares the two languages and returns, for each, the IDs the
// other defines that it lacks.
func Missing(fsys fs.FS) (map[string][]string, error) {
	en, err := IDs(fsys, "en")
	if err != nil {
		return nil, err
	}
	zh, err := IDs(fsys, "zh")
	if err != nil {
		return nil, err
	}
	return map[string][]string{"en": diff(zh, en), "zh": diff(en, zh)}, nil
}

// diff returns the IDs in a that are not in b.
func diff(a, b []string) []string {
	set := map[string]bool{}
	for _, id := range b {
		set[id] = true
	}
	var out []string
	for _, id := range a {
		if !set[id] {
			out = append(out, id)
		}
	}
	return out
}

// Lang normalizes a language code to "en" or "zh", reporting whether it was one.
func Lang(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "en":
		return "en", true
	case "zh", "zh-cn", "zh-hans":
		return "zh", true
	}
	return "en", false
}
