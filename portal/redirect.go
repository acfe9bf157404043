package portal

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redirect parameters (the login and sign-up forms' "next", the
// notifications' "go") come from the reader and must never send a browser
// to another site. Browsers are lenient: they drop tabs and newlines from
// a Location, read "\" as "/", and treat "//host" as another origin, so
// "/%09/evil.example" decoded or "/\t/evil.example" raw both end up at
// evil.example. localPath therefore parses the target and accepts only a
// path on this origin whose raw and decoded forms hold no control
// characters or backslashes.

// maxRedirectLen bounds a redirect target; longer ones are not ours.
const maxRedirectLen = 2048

// safeNext returns next when it is a path on this site, otherwise
// fallback.
func safeNext(next, fallback string) string {
	if p, ok := localPath(next); ok {
		return p
	}
	return fallback
}

// localPath reports whether raw is a path (with an optional query and
// fragment) on this origin, and returns it unchanged when it is.
func localPath(raw string) (string, bool) {
	if raw == "" || len(raw) > maxRedirectLen || !plainPath(raw) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	// Escapes must not hide what the raw form may not hold: "%09",
	// "%5C" or a leading "%2F".
	if !plainPath(u.Path) {
		return "", false
	}
	return raw, true
}

// plainPath reports whether p starts with exactly one "/" and holds valid
// UTF-8 without control characters or backslashes.
func plainPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if r == '\\' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
