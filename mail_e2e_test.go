package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/internal/smtpsink"
)

// startMailMain starts the full wiring with an SMTP sink as its server
// (STARTTLS and AUTH, as a real provider requires).
func startMailMain(t *testing.T) (*Main, *smtpsink.Sink) {
	t.Helper()
	sink := smtpsink.Start(t, "", "portal", "smtp-secret")
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), SkipDemo: true, NotifyInterval: 50 * time.Millisecond,
		SMTPAddr: sink.Addr, SMTPUser: "portal", SMTPPassword: "smtp-secret", SMTPFrom: "Switchboard <support@switchboard.test>",
		SMTPStartTLS: true, SMTPTLS: sink.ClientTLS()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m, sink
}

// webClient is a browser without a browser: cookies, CSRF, no redirects
// followed unless asked.
type webClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *webClient) get(u string) (int, string) {
	w.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = w.base + u
	}
	resp, err := w.http.Get(u)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// post submits a form to path with the CSRF token of page (fetched first).
func (w *webClient) post(page, path string, form url.Values) (int, string, string) {
	w.t.Helper()
	_, body := w.get(page)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		w.t.Fatalf("no CSRF field on %s", page)
	}
	form.Set("_csrf", m[1])
	resp, err := w.http.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestSignUpVerifyAndResetByEmail follows the links of real emails: the
// verification sent at sign-up, then "Forgot password?".
func TestSignUpVerifyAndResetByEmail(t *testing.T) {
	m, sink := startMailMain(t)
	base := m.URL()
	ana := newWebClient(t, base)
	if code, loc, body := ana.post("/zh/signup", "/zh/signup", url.Values{"email": {"ana@example.com"}, "name": {"Ana"}, "password": {"correct horse battery"}}); code != http.StatusSeeOther {
		t.Fatalf("signup: %d %s\n%.500s", code, loc, body)
	}
	u, err := m.Forum.UserIDByEmail(context.Background(), "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Forum.FindUser(context.Background(), u); got.Verified() {
		t.Fatal("verified before following the link")
	}
	verify := sink.Wait(t, 1, 10*time.Second)[0]
	if verify.Subject != "请确认您的邮箱地址" || verify.To[0] != "ana@example.com" {
		t.Fatalf("verification mail: %q to %v", verify.Subject, verify.To)
	}
	links := verify.Links()
	if len(links) != 1 || !strings.HasPrefix(links[0], base+"/zh/verify/") || !strings.Contains(verify.HTML, links[0]) {
		t.Fatalf("verification links %v", links)
	}
	if code, body := ana.get(links[0]); code != http.StatusOK || !strings.Contains(body, "data-verified") {
		t.Fatalf("following the link: %d\n%.500s", code, body)
	}
	if got, _ := m.Forum.FindUser(context.Background(), u); !got.Verified() {
		t.Fatal("not verified after following the link")
	}
	if code, _ := ana.get(links[0]); code == http.StatusOK {
		t.Error("the verification link works twice")
	}

	// Forgot password: the same answer for a stranger's address, and no mail.
	bo := newWebClient(t, base)
	code, _, unknown := bo.post("/en/forgot", "/en/forgot", url.Values{"email": {"nobody@example.com"}})
	if code != http.StatusOK || !strings.Contains(unknown, "data-forgot-sent") {
		t.Fatalf("forgot (unknown): %d", code)
	}
	code, _, known := bo.post("/en/forgot", "/en/forgot", url.Values{"email": {"ana@example.com"}})
	if code != http.StatusOK {
		t.Fatalf("forgot: %d", code)
	}
	if strip(known) != strip(unknown) {
		t.Error("the answer differs for a known address")
	}
	reset := sink.Wait(t, 2, 10*time.Second)[1]
	if reset.Subject != "重置您的 Switchboard 密码" { // Ana signed up in Chinese
		t.Errorf("reset subject %q", reset.Subject)
	}
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("%d messages, want 2 (none for the unknown address)", n)
	}
	link := reset.Links()[0]
	if !strings.HasPrefix(link, base+"/zh/reset/") {
		t.Fatalf("reset link %s", link)
	}
	path := strings.TrimPrefix(link, base)
	if code, loc, body := bo.post(path, path, url.Values{"password": {"a whole new password"}}); code != http.StatusSeeOther {
		t.Fatalf("reset: %d %s\n%.500s", code, loc, body)
	}
	if code, loc, _ := bo.post("/en/login", "/en/login", url.Values{"email": {"ana@example.com"}, "password": {"a whole new password"}}); code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d %s", code, loc)
	}
	if code, _, _ := bo.post(path, path, url.Values{"password": {"yet another password"}}); code == http.StatusSeeOther {
		t.Error("the reset link works twice")
	}
}

var csrfOrNonce = regexp.MustCompile(`value="[^"]*"|nonce="[^"]*"|W/"[^"]*"`)

// strip drops per-request values (CSRF tokens) from a page.
func strip(s string) string { return csrfOrNonce.ReplaceAllString(s, "") }

// TestForumNotificationEmails: a mention and a reply in a watched topic
// are emailed in each recipient's language with a working link, and the
// unsubscribe link stops them.
func TestForumNotificationEmails(t *testing.T) {
	m, sink := startMailMain(t)
	ctx := context.Background()
	ana, err := m.Forum.CreateUser(ctx, forum.SignUp{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery", Lang: "zh"}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	bo, err := m.Forum.CreateUser(ctx, forum.SignUp{Email: "bo@example.com", Name: "Bo", Password: "correct horse battery"}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := m.Forum.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := m.Forum.CreateTopic(forum.NewContext(ctx, bo), forum.NewTopic{CategoryID: cats[0].ID, Title: "Presence after reconnect",
		Body: "Hi @" + ana.Username + ", did you see duplicate joins?", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	mention := sink.Wait(t, 1, 10*time.Second)[0]
	if mention.To[0] != "ana@example.com" || mention.Subject != "Bo 在“Presence after reconnect”中提到了您" {
		t.Fatalf("mention email %q to %v", mention.Subject, mention.To)
	}
	if mention.Header.Get("List-Unsubscribe") == "" {
		t.Error("no List-Unsubscribe header")
	}
	links := mention.Links()
	if len(links) != 2 || !strings.HasPrefix(links[0], m.URL()+"/zh/forum/p/") || !strings.HasPrefix(links[1], m.URL()+"/zh/unsubscribe/") {
		t.Fatalf("links %v, want the post and the unsubscribe link", links)
	}
	c := newWebClient(t, m.URL())
	c.http.CheckRedirect = nil // follow the post link to its topic
	if code, body := c.get(links[0]); code != http.StatusOK || !strings.Contains(body, "Presence after reconnect") {
		t.Errorf("the post link: %d", code)
	}
	if _, err := m.Forum.Reply(forum.NewContext(ctx, ana), topic.ID, "Yes, twice after every resume."); err != nil {
		t.Fatal(err)
	}
	reply := sink.Wait(t, 2, 10*time.Second)[1]
	if reply.To[0] != "bo@example.com" || reply.Subject != "New reply in “Presence after reconnect”" {
		t.Fatalf("reply email %q to %v", reply.Subject, reply.To)
	}

	// Unsubscribing (a confirming POST) stops Ana's notification emails.
	unsub := strings.TrimPrefix(links[1], m.URL())
	if code, _, body := newWebClient(t, m.URL()).post(unsub, unsub, url.Values{}); code != http.StatusOK || !strings.Contains(body, "data-unsubscribed") {
		t.Fatalf("unsubscribe: %d", code)
	}
	if _, err := m.Forum.Reply(forum.NewContext(ctx, bo), topic.ID, "Thanks @"+ana.Username+", fixed in 1.4."); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	for _, msg := range sink.Messages()[2:] {
		if msg.To[0] == "ana@example.com" {
			t.Errorf("after unsubscribing Ana got %q", msg.Subject)
		}
	}
}

// TestMailSurvivesKill9: the SMTP server is down, a reset email is
// accepted and retried; the portal is killed with SIGKILL and started
// again once the server is up: the email arrives, once, and its link works.
func TestMailSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills a child server")
	}
	bin := filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	create := exec.Command(bin, "-data", dir, "admin", "create", "--email", "ops@example.com", "--password-stdin")
	create.Stdin = strings.NewReader("a good long password\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := ln.Addr().String()
	ln.Close() // nobody listens: SMTP is down
	flags := []string{"-smtp-addr", smtpAddr, "-smtp-starttls=false"}
	srv := startServerProcess(t, bin, dir, flags...)
	if code, _, _ := newWebClient(t, srv.url).post("/en/forgot", "/en/forgot", url.Values{"email": {"ops@example.com"}}); code != http.StatusOK {
		t.Fatalf("forgot: %d", code)
	}
	d, err := db.Open(context.Background(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var attempts int
		var state, lastErr string
		err := d.QueryRow(`SELECT attempts, state, last_error FROM mail_outbox WHERE kind = 'reset'`).Scan(&attempts, &state, &lastErr)
		if err == nil && attempts >= 1 {
			if state != "pending" || !strings.Contains(lastErr, "smtp dial") {
				t.Fatalf("after a failed attempt: %s %q", state, lastErr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt recorded (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.cmd.Process.Kill() // SIGKILL: no shutdown
	srv.cmd.Wait()

	sink := smtpsink.StartPlain(t, smtpAddr)
	srv = startServerProcess(t, bin, dir, flags...)
	got := sink.Wait(t, 1, 75*time.Second) // the retry waits out its backoff (at most 30 s)
	if got[0].To[0] != "ops@example.com" || got[0].Subject != "Reset your Switchboard password" {
		t.Fatalf("got %q to %v", got[0].Subject, got[0].To)
	}
	link := got[0].Links()[0]
	path := strings.TrimPrefix(link, srv.url)
	if path == link { // the link carries the first run's port: take its path
		u, _ := url.Parse(link)
		path = u.Path
	}
	if code, _, _ := newWebClient(t, srv.url).post(path, path, url.Values{"password": {"a fresh long password"}}); code != http.StatusSeeOther {
		t.Errorf("the reset link from before the kill: %d", code)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("%d messages, want the one, once", n)
	}
}
