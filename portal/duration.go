package portal

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// durationUnit is one unit localizer.Duration writes, largest first.
type durationUnit struct {
	id   string // message ID, a plural with {{.Count}}
	name string // key in durationUnits, for static/js/duration.js
	size int64  // in seconds
}

var durationUnitList = []durationUnit{
	{"ui.dur.days", "days", 24 * 3600},
	{"ui.dur.hours", "hours", 3600},
	{"ui.dur.minutes", "minutes", 60},
	{"ui.dur.seconds", "seconds", 1},
}

// Duration is the one way the portal writes a span of time for people:
// "45 seconds", "1 minute 30 seconds", "58 minutes", "2 hours 14 minutes",
// "23 hours", "3 days 4 hours" (in Chinese "58 分钟", "2 小时 14 分钟"),
// plurals from the locales. static/js/duration.js follows the same rules
// with the words from durationUnits, and a browser test holds the two equal.
//
// The rules: the size of d (negative durations format as their size) is
// counted in whole seconds, rounded up, since a wait of "0 seconds" would
// be wrong. It shows the largest unit, and the next one while the largest
// is under 10, so a wait reads as a person would say it, never more than
// two units. The value is rounded half up to the smallest unit shown, and
// then written again, so 59 minutes 30 seconds reads "1 hour".
//
// Template data of type time.Duration given to T is formatted by it, so a
// message says "Try again in {{.Wait}}." and never counts raw seconds.
func (l *localizer) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	n := int64((d + time.Second - 1) / time.Second)
	if n == 0 {
		return l.T("ui.dur.seconds", "Count", int64(0))
	}
	_, _, step := durationShape(n)
	n = (n + step/2) / step * step
	i, q, _ := durationShape(n)
	parts := []string{l.T(durationUnitList[i].id, "Count", q)}
	if q < 10 && i+1 < len(durationUnitList) {
		next := durationUnitList[i+1]
		if m := n % durationUnitList[i].size / next.size; m > 0 {
			parts = append(parts, l.T(next.id, "Count", m))
		}
	}
	return strings.Join(parts, " ")
}

// durationShape returns, for n > 0 seconds, the index of the largest unit
// in n, how many of it n holds, and the size of the smallest unit shown.
func durationShape(n int64) (i int, q, step int64) {
	for i, u := range durationUnitList {
		if q = n / u.size; q > 0 || i+1 == len(durationUnitList) {
			step = u.size
			if q < 10 && i+1 < len(durationUnitList) {
				step = durationUnitList[i+1].size
			}
			return i, q, step
		}
	}
	return 0, 0, 1 // not reached: the last unit is one second
}

// durationWords is what static/js/duration.js needs to write durations as
// Duration does: the page's language (for Intl.PluralRules) and, for each
// unit, its words by plural category, with "{n}" for the count:
// {"lang": "en", "units": {"minutes": {"one": "{n} minute", "other":
// "{n} minutes"}, ...}}.
type durationWords struct {
	Lang  string                       `json:"lang"`
	Units map[string]map[string]string `json:"units"`
}

// durationUnits gives the unit words of l's language for the browser, so
// scripts never hard-code English.
func (l *localizer) durationUnits() durationWords {
	tag := language.Make(l.lang)
	// The first whole number of each plural category, to pick its form.
	samples := map[string]int{}
	for n := 0; n < 200; n++ {
		c := pluralCategory(plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0))
		if _, seen := samples[c]; !seen {
			samples[c] = n
		}
	}
	w := durationWords{Lang: l.lang, Units: map[string]map[string]string{}}
	for _, u := range durationUnitList {
		forms := map[string]string{}
		for c, n := range samples {
			s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: u.id, PluralCount: n,
				TemplateData: map[string]any{"Count": "{n}"}})
			if err != nil {
				s = "{n} " + u.name
			}
			forms[c] = s
		}
		w.Units[u.name] = forms
	}
	return w
}

// pluralCategory names a plural form as Intl.PluralRules does.
func pluralCategory(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	case plural.Other:
		return "other"
	}
	return "form" + strconv.Itoa(int(f))
}

// DurationWordsJSON is durationUnits as JSON, for a page's
// data-duration-units attribute.
func (l *localizer) DurationWordsJSON() string {
	b, err := json.Marshal(l.durationUnits())
	if err != nil {
		return "{}" // not reached: the words are strings
	}
	return string(b)
}
