package mail_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/internal/smtpsink"
	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/mail"
)

// localize is main's localizer: the real locale files.
func localize(t testing.TB) func(lang, id string, data map[string]any) (string, error) {
	b, err := locales.NewBundle(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	return func(lang, id string, data map[string]any) (string, error) {
		return i18n.NewLocalizer(b, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	}
}

func openOutbox(t testing.TB, path string, cfg mail.Config) *mail.Outbox {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg.DB, cfg.Localize = d, localize(t)
	if cfg.From == "" {
		cfg.From = "Switchboard <support@switchboard.test>"
	}
	o, err := mail.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// run starts o.Run and returns the function that stops it and waits.
func run(o *mail.Outbox) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.Run(ctx) }()
	return func() { cancel(); <-done }
}

var letters = []mail.Letter{
	{Kind: mail.KindReset, Link: "https://portal.test/en/reset?token=abc"},
	{Kind: mail.KindVerify, Link: "https://portal.test/en/verify?token=abc"},
	{Kind: mail.KindForumMention, Link: "https://portal.test/en/forum/t/1", Data: map[string]any{"Author": "Bo", "Topic": "Limits"}, Unsubscribe: "https://portal.test/en/unsubscribe?token=u"},
	{Kind: mail.KindForumReply, Link: "https://portal.test/en/forum/t/1", Data: map[string]any{"Author": "Bo", "Topic": "Limits"}, Unsubscribe: "https://portal.test/en/unsubscribe?token=u"},
	{Kind: mail.KindTicketCreated, Link: "https://portal.test/en/support/tickets/7", Data: map[string]any{"ID": 7}, Unsubscribe: "https://portal.test/en/unsubscribe?token=u"},
	{Kind: mail.KindTicketReplied, Link: "https://portal.test/en/support/tickets/7", Data: map[string]any{"ID": 7}, Unsubscribe: "https://portal.test/en/unsubscribe?token=u"},
	{Kind: mail.KindTicketSolved, Link: "https://portal.test/en/support/tickets/7", Data: map[string]any{"ID": 7}, Unsubscribe: "https://portal.test/en/unsubscribe?token=u"},
}

func TestComposeEveryKindInBothLanguages(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{})
	for _, lang := range []string{"en", "zh"} {
		for _, l := range letters {
			t.Run(lang+"/"+l.Kind, func(t *testing.T) {
				l.To, l.Lang, l.Name = "ana@example.com", lang, "Ana"
				m, err := o.Compose(l)
				if err != nil {
					t.Fatalf("compose: %v", err)
				}
				if m.Subject == "" || strings.Contains(m.Subject, "mail.") {
					t.Errorf("subject %q", m.Subject)
				}
				for name, body := range map[string]string{"text": m.Text, "html": m.HTML} {
					if !strings.Contains(body, "Ana") || !strings.Contains(body, l.Link) {
						t.Errorf("%s part lacks the name or the link:\n%s", name, body)
					}
					if got := strings.Contains(body, "unsubscribe?token=u"); got != mail.Notification(l.Kind) {
						t.Errorf("%s part has an unsubscribe link: %v, want %v", name, got, mail.Notification(l.Kind))
					}
				}
				if lang == "zh" && !strings.ContainsAny(m.Subject, "的您密码邮箱回复工单") {
					t.Errorf("zh subject %q is not Chinese", m.Subject)
				}
			})
		}
	}
	t.Run("a notification without an unsubscribe link is refused", func(t *testing.T) {
		_, err := o.Compose(mail.Letter{Kind: mail.KindForumReply, To: "a@example.com", Data: map[string]any{"Author": "x", "Topic": "y"}})
		if !errors.Is(err, mail.ErrInvalid) {
			t.Fatalf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("an unknown kind is an error", func(t *testing.T) {
		if _, err := o.Compose(mail.Letter{Kind: "nope", To: "a@example.com", Unsubscribe: "https://x"}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("html escapes the data", func(t *testing.T) {
		l := letters[2]
		l.To, l.Data = "a@example.com", map[string]any{"Author": "<script>", "Topic": "x"}
		m, err := o.Compose(l)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<script>") {
			t.Errorf("html part carries raw markup:\n%s", m.HTML)
		}
	})
}

func TestDeliverOverStartTLSWithAuth(t *testing.T) {
	sink := smtpsink.Start(t, "", "mailer", "s3cret")
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{
		SMTP: mail.SMTP{Addr: sink.Addr, User: "mailer", Password: "s3cret", StartTLS: true, TLS: sink.ClientTLS()},
	})
	l := letters[0]
	l.To, l.Lang, l.Name = "ana@example.com", "zh", "安娜"
	if _, err := o.Send(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	defer run(o)()
	got := sink.Wait(t, 1, 10*time.Second)[0]
	if got.To[0] != "ana@example.com" || got.From != "support@switchboard.test" {
		t.Errorf("envelope %s → %v", got.From, got.To)
	}
	if got.Subject != "重置您的 Switchboard 密码" {
		t.Errorf("subject %q", got.Subject)
	}
	if links := got.Links(); len(links) != 1 || links[0] != l.Link {
		t.Errorf("links in the text part %v, want [%s]", links, l.Link)
	}
	if !strings.Contains(got.HTML, `href="`+l.Link+`"`) || !strings.Contains(got.Text, "安娜") {
		t.Errorf("parts:\n%s\n%s", got.Text, got.HTML)
	}
	waitState(t, o, "sent")
}

// waitState waits until the newest outbox row is in state.
func waitState(t *testing.T, o *mail.Outbox, state string) mail.Entry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, _, err := o.List(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].State == state {
			return list[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox %+v, want state %s", list, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSMTPDownRetriedAndKeptAcrossRestart: the server is down, so the
// outbox retries with backoff; the program stops and starts again on the
// same database; once the server is up the message arrives, once.
func TestSMTPDownRetriedAndKeptAcrossRestart(t *testing.T) {
	addr := freeAddr(t)
	path := filepath.Join(t.TempDir(), "db")
	cfg := mail.Config{SMTP: mail.SMTP{Addr: addr, StartTLS: false, Timeout: 2 * time.Second}, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Poll: 20 * time.Millisecond}
	o := openOutbox(t, path, cfg)
	l := letters[1]
	l.To, l.Name = "bo@example.com", "Bo"
	if _, err := o.Send(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	stop := run(o)
	deadline := time.Now().Add(10 * time.Second)
	var e mail.Entry
	for e.Attempts < 3 {
		list, pending, err := o.List(context.Background(), 10)
		if err != nil || len(list) != 1 || pending != 1 {
			t.Fatalf("outbox %+v pending %d err %v", list, pending, err)
		}
		e = list[0]
		if time.Now().After(deadline) {
			t.Fatalf("attempts %d, want ≥ 3 while SMTP is down", e.Attempts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if e.State != "pending" || !strings.Contains(e.LastError, "smtp dial") {
		t.Fatalf("after failures: state %s, error %q", e.State, e.LastError)
	}

	sink := smtpsink.Start(t, addr, "", "")
	cfg.SMTP.TLS = sink.ClientTLS()
	o2 := openOutbox(t, path, cfg) // a new start on the same file
	defer run(o2)()
	got := sink.Wait(t, 1, 10*time.Second)
	if e := waitState(t, o2, "sent"); e.Attempts < 4 {
		t.Errorf("sent after %d attempts, want ≥ 4", e.Attempts)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(sink.Messages()); n != 1 || got[0].To[0] != "bo@example.com" {
		t.Fatalf("got %d messages (%v), want the one, once", n, got[0].To)
	}
}

func TestRecipientRefusedFailsForGood(t *testing.T) {
	sink := smtpsink.Start(t, "", "", "")
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{SMTP: mail.SMTP{Addr: sink.Addr, TLS: sink.ClientTLS()}, Poll: 20 * time.Millisecond})
	l := letters[0]
	l.To = "reject@example.com"
	if _, err := o.Send(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	defer run(o)()
	e := waitState(t, o, "failed")
	if e.Attempts != 1 || !strings.Contains(e.LastError, "550") {
		t.Errorf("attempts %d, error %q", e.Attempts, e.LastError)
	}
}

func TestWrongPasswordIsRetried(t *testing.T) {
	sink := smtpsink.Start(t, "", "mailer", "right")
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{SMTP: mail.SMTP{Addr: sink.Addr, User: "mailer", Password: "wrong", StartTLS: true, TLS: sink.ClientTLS()},
		MinBackoff: time.Hour, Poll: 20 * time.Millisecond})
	if _, err := o.Send(context.Background(), mail.Letter{Kind: mail.KindReset, To: "a@example.com", Link: "https://x.test/r"}); err != nil {
		t.Fatal(err)
	}
	defer run(o)()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, _, _ := o.List(context.Background(), 1)
		if list[0].Attempts == 1 {
			if list[0].State != "pending" || !strings.Contains(list[0].LastError, "smtp auth") {
				t.Fatalf("state %s error %q, want pending after an auth failure", list[0].State, list[0].LastError)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no attempt")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Fatalf("%d messages arrived without AUTH", n)
	}
}

func TestWithoutSMTPMessagesStayInTheOutbox(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{Poll: 10 * time.Millisecond})
	if o.Configured() {
		t.Fatal("configured without an address")
	}
	if _, err := o.Send(context.Background(), mail.Letter{Kind: mail.KindReset, To: "a@example.com", Link: "https://x.test/r"}); err != nil {
		t.Fatal(err)
	}
	stop := run(o)
	time.Sleep(50 * time.Millisecond)
	stop() // Run returns when its context ends
	list, pending, err := o.List(context.Background(), 10)
	if err != nil || pending != 1 || list[0].State != "pending" || list[0].Attempts != 0 || !strings.Contains(list[0].Text, "https://x.test/r") {
		t.Fatalf("outbox %+v pending %d err %v", list, pending, err)
	}
}

func TestEnqueueRefusesABadAddress(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "db"), mail.Config{})
	if _, err := o.Send(context.Background(), mail.Letter{Kind: mail.KindReset, To: "not an address", Link: "https://x"}); !errors.Is(err, mail.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}
