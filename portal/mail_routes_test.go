package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/mail"
)

// withMail gives the test server a real outbox on its database, without
// SMTP, and returns it through out.
func withMail(t testing.TB, out **mail.Outbox) func(*Config) {
	return func(cfg *Config) {
		b, err := locales.NewBundle(locales.FS())
		if err != nil {
			t.Fatal(err)
		}
		o, err := mail.Open(context.Background(), mail.Config{DB: cfg.DB, Logger: cfg.Logger,
			Localize: func(lang, id string, data map[string]any) (string, error) {
				return i18n.NewLocalizer(b, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
			}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Mail, cfg.PublicURL = o, "https://portal.test"
		*out = o
	}
}

func TestOutboxPageIsForAdminsOnly(t *testing.T) {
	var o *mail.Outbox
	s, st := newForumServer(t, withMail(t, &o))
	if _, err := o.Send(context.Background(), mail.Letter{Kind: mail.KindReset, To: "ana@example.com", Name: "Ana", Link: "https://portal.test/en/reset/SECRET"}); err != nil {
		t.Fatal(err)
	}
	admin := userWithRole(t, s, st, "admin@example.com", "Admin", forum.RoleAdmin)
	w := admin.get("/zh/admin/outbox")
	if w.Code != http.StatusOK {
		t.Fatalf("admin: status %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{"ana@example.com", "https://portal.test/en/reset/SECRET", `data-state="pending"`, `data-outbox-smtp="false"`, "未配置 SMTP 服务器"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin outbox page lacks %q", want)
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	for _, role := range []forum.Role{forum.RoleMember, forum.RoleStaff, forum.RoleModerator} {
		b := userWithRole(t, s, st, string(role)+"@example.com", "U "+string(role), role)
		if w := b.get("/en/admin/outbox"); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "SECRET") {
			t.Errorf("%s: status %d, want 403 without the message", role, w.Code)
		}
	}
	if w := newBrowser(t, s).get("/en/admin/outbox"); w.Code != http.StatusSeeOther || strings.Contains(w.Body.String(), "SECRET") {
		t.Errorf("anonymous: status %d, want 303 to the login", w.Code)
	}
}
