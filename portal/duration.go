package portal

import (
	"strings"
	"time"
)

// Duration is the one way the portal writes a span of time for people:
// "45 seconds", "58 minutes", "2 hours 14 minutes", "23 hours", "3 days
// 4 hours" (in Chinese "58 分钟", "2 小时 14 分钟"), plurals from the locales.
// It shows the largest unit, and the next one while the largest is under 10,
// so a wait reads as a person would say it. Under a minute it counts
// seconds, rounded up (a wait of "0 seconds" would be wrong); otherwise it
// rounds to the nearest minute. Negative durations format as their size.
//
// Template data of type time.Duration given to T is formatted by it, so a
// message says "Try again in {{.Wait}}." and never counts raw seconds.
func (l *localizer) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return l.T("ui.dur.seconds", "Count", int64((d+time.Second-1)/time.Second))
	}
	mins := int64((d + 30*time.Second) / time.Minute)
	units := []struct {
		id   string
		size int64
	}{{"ui.dur.days", 24 * 60}, {"ui.dur.hours", 60}, {"ui.dur.minutes", 1}}
	for i, u := range units {
		n := mins / u.size
		if n == 0 {
			continue
		}
		parts := []string{l.T(u.id, "Count", n)}
		if n < 10 && i+1 < len(units) {
			next := units[i+1]
			if m := mins % u.size / next.size; m > 0 {
				parts = append(parts, l.T(next.id, "Count", m))
			}
		}
		return strings.Join(parts, " ")
	}
	return l.T("ui.dur.minutes", "Count", int64(0))
}
