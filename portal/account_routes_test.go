package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
)

func TestProfileAndNotifications(t *testing.T) {
	s, st := newForumServer(t)
	asker := newBrowser(t, s)
	asker.signup("ann@example.com", "Ann")
	loc := asker.ask("Profile counts question", "Question body here")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")

	helper := userWithRole(t, s, st, "hal@example.com", "Hal", forum.RoleStaff)
	helper.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Answer for @ann with details"}}, true)
	tv, err := st.TopicPage(context.Background(), mustAtoi(t, id))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, asker.post("/en/forum/p/"+itoa(tv.Replies[0].ID)+"/accept", nil, true), http.StatusSeeOther)

	// The staff member's profile: Official badge, counts, and no e-mail for others.
	w := asker.get("/en/u/hal")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "profile", w.Body.String(), "data-official", "1 answer", "1 accepted solution", "Profile counts question")
	if strings.Contains(w.Body.String(), "hal@example.com") {
		t.Error("profile shows another user's e-mail")
	}
	if strings.Contains(w.Body.String(), `action="/en/u/hal"`) {
		t.Error("profile edit form shown to another user")
	}

	// The asker was notified of the reply in a watched topic (or mention):
	// the header shows the unread count, the page lists it, marking read clears it.
	w = asker.get("/en/forum")
	if !regexp.MustCompile(`data-unread>\d+<`).MatchString(w.Body.String()) {
		t.Errorf("header lacks an unread count:\n%.3000s", w.Body.String())
	}
	// Opening the page lists them as new and clears the badge: seen is read.
	w = asker.get("/en/notifications")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "notifications", w.Body.String(), "Hal", "Profile counts question", `class="unread"`)
	if strings.Contains(w.Body.String(), "data-unread") {
		t.Error("the notifications page itself still shows the unread badge")
	}
	if strings.Contains(asker.get("/en/forum").Body.String(), "data-unread") {
		t.Error("unread count still shown after the notifications were seen")
	}
	if w := asker.get("/en/notifications"); strings.Contains(w.Body.String(), `class="unread"`) {
		t.Error("seen notifications are still new on the next visit")
	}
	wantStatus(t, asker.post("/en/notifications/read", nil, true), http.StatusSeeOther)

	// Editing one's own profile; invalid input keeps the text.
	w = asker.post("/en/u/ann", url.Values{"name": {"Ann B"}, "bio": {"Go developer"}, "lang": {"zh"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	wantBody(t, "edited profile", asker.get("/en/u/ann").Body.String(), "Ann B", "Go developer")
	w = asker.post("/en/u/ann", url.Values{"name": {""}, "bio": {"kept bio text"}, "lang": {"en"}}, true)
	if w.Code != http.StatusSeeOther {
		wantBody(t, "invalid profile", w.Body.String(), "kept bio text")
	}
	// Others cannot edit it.
	wantStatus(t, helper.post("/en/u/ann", url.Values{"name": {"Hacked"}}, true), http.StatusForbidden)
}

func TestAdminRolesAndPasswordReset(t *testing.T) {
	s, st := newForumServer(t)
	member := newBrowser(t, s)
	member.signup("mem@example.com", "Mem")
	admin := userWithRole(t, s, st, "root@example.com", "Root", forum.RoleAdmin)

	// Members cannot see the admin page or grant roles.
	wantStatus(t, member.get("/en/admin"), http.StatusForbidden)
	uid, err := st.UserIDByEmail(context.Background(), "mem@example.com")
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, member.post("/en/admin/users/"+itoa(uid)+"/role", url.Values{"role": {"admin"}}, true), http.StatusForbidden)

	w := admin.get("/en/admin")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "admin page", w.Body.String(), "mem@example.com", `name="role"`)
	wantStatus(t, admin.post("/en/admin/users/"+itoa(uid)+"/role", url.Values{"role": {"staff"}}, true), http.StatusSeeOther)
	if u, _ := st.FindUser(context.Background(), uid); u.Role != forum.RoleStaff {
		t.Errorf("role after grant = %s, want staff", u.Role)
	}

	// A one-time reset link sets a new password, once.
	w = admin.post("/en/admin/users/"+itoa(uid)+"/reset", nil, true)
	wantStatus(t, w, http.StatusOK)
	m := regexp.MustCompile(`<code>https?://[^/]+(/en/reset/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no reset link on the page:\n%.3000s", w.Body.String())
	}
	anon := newBrowser(t, s)
	wantStatus(t, anon.get(m[1]), http.StatusOK)
	wantStatus(t, anon.post(m[1], url.Values{"password": {"short"}}, true), http.StatusBadRequest)
	wantStatus(t, anon.post(m[1], url.Values{"password": {"a brand new password"}}, true), http.StatusSeeOther)
	w = anon.post("/en/login", url.Values{"email": {"mem@example.com"}, "password": {"a brand new password"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	if w2 := anon.post(m[1], url.Values{"password": {"another new password"}}, true); w2.Code == http.StatusSeeOther {
		t.Error("reset link worked twice")
	}

	// Categories: admins edit names.
	w = admin.post("/en/admin/categories/1", url.Values{"slug": {"getting-started"}, "name_en": {"First steps"}, "name_zh": {"入门"}, "position": {"1"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	wantBody(t, "renamed category", anon.get("/en/forum").Body.String(), "First steps")
	wantStatus(t, other(t, s, st).get("/en/admin/categories"), http.StatusForbidden)
}

func TestEditRevisionsFlagsAndQueue(t *testing.T) {
	s, st := newForumServer(t)
	author := newBrowser(t, s)
	author.signup("au@example.com", "Author")
	loc := author.ask("Original title here", "Original body text")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	tv, _ := st.TopicPage(context.Background(), mustAtoi(t, id))
	q := itoa(tv.Question.ID)

	wantBody(t, "edit form", author.get("/en/forum/p/"+q+"/edit").Body.String(), ">Original body text</textarea>")
	w := author.post("/en/forum/p/"+q+"/edit", url.Values{"title": {"Edited title here"}, "body": {"Edited body text"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	w = author.get(w.Header().Get("Location"))
	if w.Code == http.StatusMovedPermanently { // the slug changed with the title
		w = author.get(w.Header().Get("Location"))
	}
	wantBody(t, "edited", w.Body.String(), "Edited title here", "Edited body text", "/forum/p/"+q+"/revisions")
	anon := newBrowser(t, s)
	w = anon.get("/en/forum/p/" + q + "/revisions")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "revisions", w.Body.String(), "Original body text", "Edited body text", `data-revision="2"`)

	// Others may not edit.
	other := userWithRole(t, s, st, "x@example.com", "Xena", forum.RoleMember)
	wantStatus(t, other.post("/en/forum/p/"+q+"/edit", url.Values{"body": {"vandalized"}}, true), http.StatusForbidden)

	// Flags from three users hide the post; the moderator queue restores it.
	for i, email := range []string{"f1@example.com", "f2@example.com", "f3@example.com"} {
		f := userWithRole(t, s, st, email, "Flagger"+itoa(int64(i)), forum.RoleMember)
		wantStatus(t, f.post("/en/forum/p/"+q+"/flag", url.Values{"reason": {"spam"}}, true), http.StatusSeeOther)
	}
	wantStatus(t, anon.get(loc), http.StatusNotFound) // the question is hidden pending review
	mod := userWithRole(t, s, st, "mod@example.com", "Moe", forum.RoleModerator)
	wantStatus(t, other.get("/en/forum/flags"), http.StatusForbidden)
	w = mod.get("/en/forum/flags")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "queue", w.Body.String(), "Edited title here", "Spam")
	wantStatus(t, mod.post("/en/forum/flags/"+q, url.Values{"verdict": {"kept"}}, true), http.StatusSeeOther)
	w = anon.get(loc)
	if w.Code == http.StatusMovedPermanently {
		w = anon.get(w.Header().Get("Location"))
	}
	wantStatus(t, w, http.StatusOK)
}

func TestDocsPageAskAndTopics(t *testing.T) {
	s, _ := newForumServer(t)
	b := newBrowser(t, s)
	w := b.get("/en/docs/overview")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, "docs", w.Body.String(), `href="/en/forum/new?docs=/docs/overview"`, "No one has asked about this page yet.")

	b.signup("d@example.com", "Dee")
	w = b.get("/en/forum/new?docs=/docs/overview")
	wantBody(t, "prefilled", w.Body.String(), `name="docs" value="/docs/overview"`, `href="/en/docs/overview"`)
	w = b.post("/en/forum/new", url.Values{"category": {"1"}, "title": {"Question about the overview"}, "body": {"What does this page mean?"}, "lang": {"en"}, "docs": {"/docs/overview"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	wantBody(t, "docs lists topic", b.get("/en/docs/overview").Body.String(), "Question about the overview")

	// The JavaScript preview returns sanitized HTML.
	w = b.post("/en/forum/preview", url.Values{"body": {"**bold** <script>alert(1)</script> [x](javascript:alert(1))"}}, true)
	wantStatus(t, w, http.StatusOK)
	if got := w.Body.String(); !strings.Contains(got, "<strong>bold</strong>") || strings.Contains(got, "<script") || strings.Contains(got, "javascript:") {
		t.Errorf("preview = %q", got)
	}
}

func other(t *testing.T, s *Server, st *forum.Store) *browser {
	return userWithRole(t, s, st, "plain@example.com", "Plain", forum.RoleMember)
}

func TestModeratorSuspendsMember(t *testing.T) {
	s, st := newForumServer(t)
	member := newBrowser(t, s)
	member.signup("sus@example.com", "Suze")
	loc := member.ask("Before the suspension", "Question body text")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/en/forum/t/"), "-")
	mod := userWithRole(t, s, st, "mod@example.com", "Moe", forum.RoleModerator)

	wantBody(t, "suspend form", mod.get("/en/u/suze").Body.String(), `action="/en/u/suze/suspend"`)
	wantStatus(t, member.post("/en/u/moe/suspend", url.Values{"days": {"3"}, "reason": {"x"}}, true), http.StatusForbidden)
	wantStatus(t, mod.post("/en/u/suze/suspend", url.Values{"days": {"3"}, "reason": {"spam"}}, true), http.StatusSeeOther)
	wantBody(t, "suspended profile", mod.get("/en/u/suze").Body.String(), "Suspended until")
	// Suspension ends the member's sessions: posting now asks them to log in,
	// and logging in says they are suspended.
	w := member.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Posting while suspended"}}, true)
	wantStatus(t, w, http.StatusSeeOther)
	if !strings.HasPrefix(w.Header().Get("Location"), "/en/login") {
		t.Errorf("suspended member's reply went to %q, want the login form", w.Header().Get("Location"))
	}
	w = member.login("sus@example.com")
	wantStatus(t, w, http.StatusForbidden)
}
