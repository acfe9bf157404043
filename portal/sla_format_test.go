package portal

import (
	"testing"
	"time"
)

func TestSLADurationFormat(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		d      time.Duration
		en, zh string
	}{
		{0, "0 m", "0 分钟"},
		{59*time.Second + 45*time.Minute, "45 m", "45 分钟"},
		{2*time.Hour + 14*time.Minute, "2 h 14 m", "2 小时 14 分钟"},
		{3*time.Hour + 5*time.Minute, "3 h 05 m", "3 小时 5 分钟"},
		{-(3*time.Hour + 5*time.Minute), "3 h 05 m", "3 小时 5 分钟"},
		{26*time.Hour + 59*time.Minute, "1 d 2 h", "1 天 2 小时"},
	}
	for _, tt := range tests {
		if got := s.localizer("en").slaDuration(tt.d); got != tt.en {
			t.Errorf("en %v = %q, want %q", tt.d, got, tt.en)
		}
		if got := s.localizer("zh").slaDuration(tt.d); got != tt.zh {
			t.Errorf("zh %v = %q, want %q", tt.d, got, tt.zh)
		}
	}
}
