package portal

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/switchboard-rtm/switchboard/locales"
)

// langCookie remembers the reader's language for "/".
const langCookie = "sb_lang"

func newBundle(fsys fs.FS) (*i18n.Bundle, error) {
	if fsys == nil {
		fsys = locales.FS()
	}
	return locales.NewBundle(fsys)
}

var langMatcher = language.NewMatcher(locales.Languages)

// preferredLang picks the reader's language: their cookie, then
// Accept-Language, then English.
func preferredLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		if l, ok := locales.Lang(ck.Value); ok {
			return l
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, idx, conf := langMatcher.Match(tags...)
			if conf != language.No && idx == 1 {
				return "zh"
			}
		}
	}
	return "en"
}

// localizer translates message IDs into one language.
type localizer struct {
	lang string
	loc  *i18n.Localizer
}

func (s *Server) localizer(lang string) *localizer {
	return &localizer{lang: lang, loc: i18n.NewLocalizer(s.i18n, lang)}
}

// T localizes id. Optional args are key, value pairs for the template
// data, e.g. T("forum.retry_in", "Seconds", 12). A missing ID yields the ID
// itself (the locales test keeps that from shipping).
func (l *localizer) T(id string, args ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			if k, ok := args[i].(string); ok {
				data[k] = args[i+1]
				if d, ok := args[i+1].(time.Duration); ok {
					data[k] = l.Duration(d)
				}
			}
		}
		cfg.TemplateData = data
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	out, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return out
}

// langOf returns the validated language of a /{lang}/... route.
func langOf(c echo.Context) string {
	l, _ := locales.Lang(c.Param("lang"))
	return l
}
