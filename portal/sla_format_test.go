package portal

import (
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/sla"
)

// Response-time targets and countdowns write their durations as every
// other page does (localizer.Duration).
func TestSLADurationFormat(t *testing.T) {
	s := newTestServer(t)
	en, zh := s.localizer("en"), s.localizer("zh")
	tests := []struct {
		target sla.Target
		en, zh string
	}{
		{sla.Target{Duration: 45 * time.Minute, Basis: sla.CalendarTime}, "45 minutes around the clock", "45 分钟（全天候计时）"},
		{sla.Target{Duration: 2*time.Hour + 14*time.Minute, Basis: sla.BusinessTime}, "2 hours 14 minutes business time", "2 小时 14 分钟工作时间"},
		{sla.Target{Duration: 8*time.Hour + 30*time.Minute, Basis: sla.BusinessTime}, "8 hours 30 minutes business time", "8 小时 30 分钟工作时间"},
		{sla.Target{Duration: 26 * time.Hour, Basis: sla.CalendarTime}, "1 day 2 hours around the clock", "1 天 2 小时（全天候计时）"},
	}
	for _, tt := range tests {
		if got := en.slaTarget(tt.target); got != tt.en {
			t.Errorf("en %v = %q, want %q", tt.target, got, tt.en)
		}
		if got := zh.slaTarget(tt.target); got != tt.zh {
			t.Errorf("zh %v = %q, want %q", tt.target, got, tt.zh)
		}
	}
	// The queue's countdown patterns leave the duration to duration.js.
	if f := en.slaCountdownFormats(); f["due"] != "due in {T}" || f["overdue"] != "overdue by {T}" {
		t.Errorf("countdown formats = %v", f)
	}
}
