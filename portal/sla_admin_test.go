package portal

import (
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		hours, basis string
		want         sla.Target
		ok           bool
	}{
		{"", "business", sla.Target{}, true},
		{"0", "calendar", sla.Target{}, true},
		{"8.5", "business", sla.BusinessHours(8.5), true},
		{" 1 ", "calendar", sla.CalendarHours(1), true},
		{"0.25", "business", sla.Target{Duration: 15 * time.Minute, Basis: sla.BusinessTime}, true},
		{"-1", "business", sla.Target{}, false},
		{"NaN", "business", sla.Target{}, false},
		{"1e9", "business", sla.Target{}, false},
		{"2", "weekly", sla.Target{}, false},
		{"two", "business", sla.Target{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTarget(tt.hours, tt.basis)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseTarget(%q, %q) = %+v, %v; want %+v, %v", tt.hours, tt.basis, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseTarget: whatever an admin types, an accepted target is valid.
//
//	go test ./portal -run '^$' -fuzz FuzzParseTarget -fuzztime 10s
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"", "8.5", "-0", "1e308", "0x10", "Inf", "8760", "8760.01"} {
		f.Add(s, "business")
	}
	f.Fuzz(func(t *testing.T, hours, basis string) {
		got, ok := parseTarget(hours, basis)
		if ok && got.Validate() != nil {
			t.Fatalf("parseTarget(%q, %q) accepted invalid %+v", hours, basis, got)
		}
	})
}
