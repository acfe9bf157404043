package portal

import (
	"math"
	"strconv"
	"time"
)

// Formatting of the status figures. Percentages are rounded down, never
// up: 99.896% must not read as a met 99.90%.

// fmtPercent formats a ratio in [0, 1] as a percentage with two decimals,
// rounded down ("99.89%"); exactly 1 is "100%". nil gives "".
func fmtPercent(r *float64) string {
	if r == nil {
		return ""
	}
	if *r >= 1 {
		return "100%"
	}
	p := math.Floor(*r*10000) / 100
	return strconv.FormatFloat(p, 'f', 2, 64) + "%"
}

// fmtTargetPercent formats a target ratio with as many decimals as it
// needs ("99.9%", "99.5%").
func fmtTargetPercent(r float64) string {
	return strconv.FormatFloat(r*100, 'f', -1, 64) + "%"
}

// fmtMs formats milliseconds: one decimal below 10 ms, whole above. nil
// gives "".
func fmtMs(v *float64) string {
	if v == nil {
		return ""
	}
	if *v < 10 {
		return strconv.FormatFloat(*v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(math.Round(*v), 'f', 0, 64) + " ms"
}

// seconds turns a figure of the status API, in seconds, into a duration
// for localizer.Duration; below zero counts as zero.
func seconds(secs float64) time.Duration {
	if secs <= 0 {
		return 0
	}
	return time.Duration(math.Round(secs * float64(time.Second)))
}

// fmtTime formats an instant in UTC, for feeds (pages use view.Date, the
// reader's zone; the bars and windows stay UTC days).
func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// isoTime is t in RFC 3339, UTC, for <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
