package portal

import (
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// sandboxJSPrefix marks the messages the sandbox's scripts show; they are
// handed to the page as JSON, so the scripts carry no strings of their own.
const sandboxJSPrefix = "sandbox.js."

var sandboxStringsCache sync.Map // lang → map[string]string

// sandboxStrings returns every "sandbox.js.*" message in lang, keyed by the
// ID without the prefix.
func (s *Server) sandboxStrings(lang string) map[string]string {
	if v, ok := sandboxStringsCache.Load(lang); ok && !s.cfg.Dev {
		return v.(map[string]string)
	}
	ids := s.sandboxJSIDs()
	loc := s.localizer(lang)
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[strings.TrimPrefix(id, sandboxJSPrefix)] = loc.T(id)
	}
	sandboxStringsCache.Store(lang, out)
	return out
}

// sandboxJSIDs lists the IDs in the English sandbox message file.
func (s *Server) sandboxJSIDs() []string {
	fsys := s.cfg.Locales
	if fsys == nil {
		return nil
	}
	b, err := fs.ReadFile(fsys, "sandbox.en.toml")
	if err != nil {
		return nil
	}
	var m map[string]any
	if _, err := toml.Decode(string(b), &m); err != nil {
		return nil
	}
	var ids []string
	for id := range m {
		if strings.HasPrefix(id, sandboxJSPrefix) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
