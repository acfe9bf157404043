package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

// TestDigestChosenOnTheSettingsPage: a user picks the daily digest on
// the settings page; a mention then sends nothing at once; going back to
// one email each sends what was kept as one digest letter, through real
// SMTP, with working links.
func TestDigestChosenOnTheSettingsPage(t *testing.T) {
	m, sink := startMailMain(t)
	ctx := context.Background()
	ana, err := m.Forum.CreateUser(ctx, forum.SignUp{Email: "ana@example.com", Name: "Ana", Password: e2ePassword}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	bo, err := m.Forum.CreateUser(ctx, forum.SignUp{Email: "bo@example.com", Name: "Bo", Password: e2ePassword}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, m.URL())
	if code, _, _ := c.post("/en/login", "/en/login", url.Values{"email": {"ana@example.com"}, "password": {e2ePassword}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if _, page := c.get("/en/settings"); !strings.Contains(page, `value="each" checked`) || !strings.Contains(page, "data-email-daily") {
		t.Fatal("the settings page does not offer the digest, or does not show one email each as the default")
	}
	if code, _, _ := c.post("/en/settings", "/en/settings/email", url.Values{"email": {"daily"}}); code != http.StatusSeeOther {
		t.Fatalf("choose daily: %d", code)
	}
	if _, page := c.get("/en/settings"); !strings.Contains(page, `value="daily" checked`) {
		t.Fatal("the digest choice did not stick")
	}
	cats, err := m.Forum.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Forum.CreateTopic(forum.NewContext(ctx, bo), forum.NewTopic{CategoryID: cats[0].ID, Title: "History TTL question",
		Body: "@" + ana.Username + " how long is history kept?", Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // several mailer runs (50 ms apart)
	for _, msg := range sink.Messages() {
		if msg.To[0] == "ana@example.com" {
			t.Fatalf("with a digest chosen Ana got %q at once", msg.Subject)
		}
	}
	if code, _, _ := c.post("/en/settings", "/en/settings/email", url.Values{"email": {"each"}}); code != http.StatusSeeOther {
		t.Fatalf("choose each: %d", code)
	}
	var digest []string
	deadline := time.Now().Add(10 * time.Second)
	for digest == nil && time.Now().Before(deadline) {
		for _, msg := range sink.Messages() {
			if msg.To[0] == "ana@example.com" && msg.Subject == "Your forum digest: 1 new" {
				digest = msg.Links()
				if !strings.Contains(msg.Text, "Bo mentioned you in “History TTL question”") {
					t.Errorf("digest text:\n%s", msg.Text)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if digest == nil {
		t.Fatalf("no digest letter; got %d messages", len(sink.Messages()))
	}
	if len(digest) < 3 || !strings.HasPrefix(digest[0], m.URL()+"/en/forum/p/") {
		t.Fatalf("digest links %v, want the post, the notifications page and the unsubscribe link", digest)
	}
	r := newWebClient(t, m.URL())
	r.http.CheckRedirect = nil
	if code, body := r.get(digest[0]); code != http.StatusOK || !strings.Contains(body, "History TTL question") {
		t.Errorf("the digest's post link: %d", code)
	}
	if code, _, _ := c.post("/en/settings", "/en/settings/email", url.Values{"email": {"weekly"}}); code != http.StatusBadRequest {
		t.Errorf("an unknown mode: %d, want 400", code)
	}
}
