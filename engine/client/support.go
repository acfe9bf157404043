package client

import (
	"strconv"
	"strings"
)

// MinSupportedVersion is the oldest SDK release still supported, for the
// Go and the JavaScript SDK alike (they are released together with one
// version number). The console's SDK census marks connections from older
// releases as deprecated, and the docs page "SDK versions and
// deprecations" states it (a test keeps them equal).
const MinSupportedVersion = "0.1.0"

// SDKNames are the names this project's SDKs send in connect.
var SDKNames = []string{SDKName, "switchboard-js"}

// Deprecated reports whether a connection that sent sdk name and version
// runs one of this project's SDKs older than MinSupportedVersion. Other
// SDKs, and versions that are not MAJOR.MINOR.PATCH, are not judged.
func Deprecated(name, version string) bool {
	known := false
	for _, n := range SDKNames {
		known = known || n == name
	}
	if !known {
		return false
	}
	v, ok := parseVersion(version)
	if !ok {
		return false
	}
	min, _ := parseVersion(MinSupportedVersion)
	for i := range v {
		if v[i] != min[i] {
			return v[i] < min[i]
		}
	}
	return false
}

// parseVersion reads MAJOR.MINOR.PATCH, ignoring a pre-release or build
// suffix after the patch number.
func parseVersion(s string) ([3]int, bool) {
	var out [3]int
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
