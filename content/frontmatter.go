package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// FrontMatter is the metadata block at the top of a docs page:
//
//	---
//	title: Channels
//	description: Subscribe, publish, and how offsets work.
//	weight: 20
//	source_hash: 3f2a9c0d1b7e   # translations only
//	---
type FrontMatter struct {
	Title       string
	Description string
	Weight      int
	// SourceHash, on a translated page, is SourceHash() of the English page
	// it was translated from. When the English page changes, the hashes
	// differ and the translation is reported as outdated.
	SourceHash string
}

// splitFrontMatter parses the leading "---" block and returns it with the
// Markdown body that follows.
func splitFrontMatter(src []byte) (FrontMatter, []byte, error) {
	var fm FrontMatter
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	// A Windows checkout (core.autocrlf) has CRLF line ends: without this,
	// no page had front matter, and SourceHash differed from a Unix
	// checkout's, marking every translation outdated.
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return fm, src, nil
	}
	rest := src[4:]
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		return fm, nil, fmt.Errorf("front matter: no closing ---")
	}
	block, body := rest[:end], rest[end+5:]
	for i, line := range strings.Split(string(block), "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return fm, nil, fmt.Errorf("front matter line %d: want key: value", i+1)
		}
		val = strings.TrimSpace(val)
		if c := strings.Index(val, " #"); c >= 0 {
			val = strings.TrimSpace(val[:c])
		}
		val = strings.Trim(val, `"`)
		switch strings.TrimSpace(key) {
		case "title":
			fm.Title = val
		case "description":
			fm.Description = val
		case "weight":
			w, err := strconv.Atoi(val)
			if err != nil {
				return fm, nil, fmt.Errorf("front matter weight %q: %w", val, err)
			}
			fm.Weight = w
		case "source_hash":
			fm.SourceHash = val
		default:
			return fm, nil, fmt.Errorf("front matter: unknown key %q", key)
		}
	}
	return fm, body, nil
}

// SourceHash identifies a revision of an English page: the first 12 hex
// digits of the SHA-256 of its title and body. Changing only the weight or
// the description does not make translations outdated.
func SourceHash(fm FrontMatter, body []byte) string {
	h := sha256.New()
	h.Write([]byte(fm.Title))
	h.Write([]byte{0})
	h.Write(bytes.TrimSpace(body))
	return hex.EncodeToString(h.Sum(nil))[:12]
}
