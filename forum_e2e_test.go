package main

// Browser tests of the forum in headless Chromium against the full wiring:
// what askers, helpers and staff do with the forms, and what they see.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

const e2ePassword = "correct horse battery staple"

// forumTab drives one browser tab through the forum.
type forumTab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (f *forumTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(short(f.t, f.ctx), steps...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func (f *forumTab) text(sel string) string {
	f.t.Helper()
	s, err := chromedp.Run(short(f.t, f.ctx), chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		f.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// fill sets form fields: CSS selector, value pairs.
func (f *forumTab) fill(fields ...string) {
	f.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		f.do("fill "+fields[i], chromedp.WaitVisible(chromedp.CSS(fields[i])), chromedp.SetValue(chromedp.CSS(fields[i]), fields[i+1]))
	}
}

// submit clicks a button and waits for the next page.
func (f *forumTab) submit(sel string) {
	f.t.Helper()
	waitLoad(f.t, f.ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (f *forumTab) signup(email, name string) {
	f.t.Helper()
	navigate(f.t, f.ctx, f.base+"/en/signup")
	f.fill("#su-email", email, "#su-name", name, "#su-password", e2ePassword)
	f.submit("button[data-submit]")
	f.do("signed up", chromedp.WaitVisible(chromedp.CSS("button[data-logout]")))
}

func (f *forumTab) login(email string) {
	f.t.Helper()
	navigate(f.t, f.ctx, f.base+"/en/login")
	f.fill("#login-email", email, "#login-password", e2ePassword)
	f.submit("button[data-submit]")
	f.do("logged in", chromedp.WaitVisible(chromedp.CSS("button[data-logout]")))
}

func (f *forumTab) logout() {
	f.t.Helper()
	f.submit("button[data-logout]")
	f.do("logged out", chromedp.WaitVisible(chromedp.CSS("a[data-login]")))
}

func TestForumInBrowser(t *testing.T) {
	m := startTestMain(t)
	ctx := browser.New(t)
	console := watchConsole(ctx)
	f := &forumTab{t: t, ctx: ctx, base: m.URL()}

	// 1. Sign up, ask a question with a code block (previewed first), log out.
	f.signup("asker@example.com", "Asker Ann")
	navigate(t, ctx, f.base+"/en/forum/new")
	f.fill("#new-title", "Go SDK 重连 fails after a network drop",
		"#new-body", "After a drop the client never comes back:\n\n```go\nclient.Connect(ctx)\n```\n")
	f.do("preview", chromedp.Click(chromedp.CSS("button[data-preview-button]")), chromedp.WaitVisible(chromedp.CSS("[data-preview] pre")))
	if got := f.text("[data-preview] pre"); !strings.Contains(got, "client.Connect(ctx)") {
		t.Errorf("preview shows %q", got)
	}
	f.submit("button[data-submit]")
	topicURL := eval[string](t, ctx, `location.href`)
	if !strings.Contains(topicURL, "/en/forum/t/") {
		t.Fatalf("after asking, at %s", topicURL)
	}
	if got := f.text("#post-1 .post-body pre"); !strings.Contains(got, "client.Connect(ctx)") {
		t.Errorf("code block on the topic page: %q", got)
	}
	f.logout()

	// 2. A second user answers; the asker accepts the answer.
	f.signup("helper@example.com", "Helper Hal")
	navigate(t, ctx, topicURL)
	f.fill("#reply-body", "Call `client.Reconnect` after the drop; it resumes your subscriptions.")
	f.submit("button[data-submit]")
	f.do("reply shown", chromedp.WaitVisible(chromedp.CSS("#post-2")))
	f.logout()

	f.login("asker@example.com")
	navigate(t, ctx, topicURL)
	f.submit("#post-2 button[data-accept]")
	f.do("accepted", chromedp.WaitVisible(chromedp.CSS("[data-solved]")), chromedp.WaitVisible(chromedp.CSS(".accepted-top [data-accepted]")))
	if got := f.text("[data-solved]"); got != "Solved" {
		t.Errorf("solved badge %q", got)
	}
	if got := f.text(".accepted-top .post-body"); !strings.Contains(got, "client.Reconnect") {
		t.Errorf("accepted answer at the top: %q", got)
	}
	f.logout()

	// 3. A staff reply shows the Official badge.
	if _, err := m.Forum.CreateUser(context.Background(), forum.SignUp{Email: "staff@example.com", Name: "Staff Sam", Password: e2ePassword}, forum.RoleStaff); err != nil {
		t.Fatal(err)
	}
	f.login("staff@example.com")
	navigate(t, ctx, topicURL)
	f.fill("#reply-body", "Official answer: Reconnect is the supported way.")
	f.submit("button[data-submit]")
	f.do("staff reply", chromedp.WaitVisible(chromedp.CSS("#post-3 [data-official]")))
	if got := f.text("#post-3 [data-official]"); got != "Official" {
		t.Errorf("staff post badge %q, want Official", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.post[id] [data-official]').length`); n != 1 {
		t.Errorf("%d posts carry the Official badge, want only the staff reply", n)
	}
	f.logout()

	// 4. The header search finds the topic by a two-character Chinese word.
	navigate(t, ctx, f.base+"/en/forum")
	f.do("search", chromedp.Click(chromedp.CSS("#search-input")), chromedp.SendKeys(chromedp.CSS("#search-input"), "重连"),
		chromedp.WaitVisible(chromedp.CSS(`#search-results a[href*="/forum/t/"]`)))
	if got := f.text(`#search-results a[href*="/forum/t/"]`); !strings.Contains(got, "Go SDK 重连 fails after a network drop") {
		t.Errorf("search hit %q", got)
	}
	navigate(t, ctx, f.base+"/en/forum/search?lang=all&q=%E9%87%8D%E8%BF%9E")
	if got := f.text(".search-hits"); !strings.Contains(got, "Go SDK 重连 fails after a network drop") {
		t.Errorf("forum search page: %q", got)
	}
	time.Sleep(100 * time.Millisecond)
	if p := console.problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}
