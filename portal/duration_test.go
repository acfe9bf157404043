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
		{59 * time.Second, "59 seconds", "59 秒"},
		{59*time.Second + 100*time.Millisecond, "1 minute", "1 分钟"},
		{90 * time.Second, "1 minute 30 seconds", "1 分钟 30 秒"},
		{-90 * time.Second, "1 minute 30 seconds", "1 分钟 30 秒"},
		{9*time.Minute + 59*time.Second, "9 minutes 59 seconds", "9 分钟 59 秒"},
		{10*time.Minute + 29*time.Second, "10 minutes", "10 分钟"},
		{10*time.Minute + 30*time.Second, "11 minutes", "11 分钟"},
		{59*time.Minute + 30*time.Second, "1 hour", "1 小时"},
		{9*time.Hour + 59*time.Minute + 40*time.Second, "10 hours", "10 小时"},
		{3*24*time.Hour + 4*time.Hour, "3 days 4 hours", "3 天 4 小时"},
		{12 * 24 * time.Hour, "12 days", "12 天"},
	} {
		if got := en.Duration(tc.d); got != tc.en {
			t.Errorf("en %v: got %q, want %q", tc.d, got, tc.en)
		}
		if got := zh.Duration(tc.d); got != tc.zh {
			t.Errorf("zh %v: got %q, want %q", tc.d, got, tc.zh)
		}
	}
	// The words the browser's duration.js gets, by plural category.
	if got := en.durationUnits().Units["minutes"]; got["one"] != "{n} minute" || got["other"] != "{n} minutes" || len(got) != 2 {
		t.Errorf("en minutes words = %v", got)
	}
	if got := zh.durationUnits(); got.Lang != "zh" || len(got.Units["days"]) != 1 || got.Units["days"]["other"] != "{n} 天" {
		t.Errorf("zh words = %+v", got)
	}
	// Messages get durations written by it, not raw seconds.
	if got := en.T("sandbox.error.ip_quota", "Wait", 3489*time.Second); got != "You have created the maximum number of sandbox apps for this hour. Try again in 58 minutes." {
		t.Errorf("quota message: %q", got)
	}
}
