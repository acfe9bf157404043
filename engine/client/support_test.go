package client

import "testing"

func TestDeprecated(t *testing.T) {
	for _, tt := range []struct {
		name, version string
		want          bool
	}{
		{SDKName, "0.0.9", true},
		{"switchboard-js", "0.0.1-beta", true},
		{SDKName, MinSupportedVersion, false},
		{SDKName, Version, false},
		{SDKName, "1.0.0", false},
		{SDKName, "0.10.0", false},
		{"someone-elses-sdk", "0.0.1", false},
		{SDKName, "banana", false},
		{SDKName, "", false},
	} {
		if got := Deprecated(tt.name, tt.version); got != tt.want {
			t.Errorf("Deprecated(%q, %q) = %v, want %v", tt.name, tt.version, got, tt.want)
		}
	}
	if Deprecated(SDKName, Version) {
		t.Fatal("the current release is older than the supported minimum")
	}
}
