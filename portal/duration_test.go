package portal

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	s := newTestServer(t)
	en, zh := s.localizer("en"), s.localizer("zh")
	for _, tc := range []struct {
		d      time.Duration
		en, zh string
	}{
		{0, "0 seconds", "0 秒"},
		{300 * time.Millisecond, "1 second", "1 秒"},
		{45 * time.Second, "45 seconds", "45 秒"},
		{time.Minute, "1 minute", "1 分钟"},
		{3489 * time.Second, "58 minutes", "58 分钟"},
		{59*time.Minute + 50*time.Second, "1 hour", "1 小时"},
		{2*time.Hour + 14*time.Minute, "2 hours 14 minutes", "2 小时 14 分钟"},
		{23*time.Hour + 12*time.Minute, "23 hours", "23 小时"},
		{26 * time.Hour, "1 day 2 hours", "1 天 2 小时"},
		{-90 * time.Second, "2 minutes", "2 分钟"},
	} {
		if got := en.Duration(tc.d); got != tc.en {
			t.Errorf("en %v: got %q, want %q", tc.d, got, tc.en)
		}
		if got := zh.Duration(tc.d); got != tc.zh {
			t.Errorf("zh %v: got %q, want %q", tc.d, got, tc.zh)
		}
	}
	// Messages get durations written by it, not raw seconds.
	if got := en.T("sandbox.error.ip_quota", "Wait", 3489*time.Second); got != "You have created the maximum number of sandbox apps for this hour. Try again in 58 minutes." {
		t.Errorf("quota message: %q", got)
	}
}
