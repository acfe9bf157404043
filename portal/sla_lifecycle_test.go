package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

func topicIDOf(topicURL string) string {
	id := topicURL[strings.LastIndex(topicURL, "/")+1:]
	return id[:strings.Index(id, "-")]
}

// TestStillNeedHelpAndQueueActions walks a question through the portal:
// staff answer, the asker accepts and thanks (the topic stays out of the
// queue), then chooses "I still need help" (back in the queue); staff
// reassign, unclaim and raise it to urgent, which the topic's history shows.
func TestStillNeedHelpAndQueueActions(t *testing.T) {
	s, st := newSLAServer(t)
	asker := newBrowser(t, s)
	asker.signup("asker@example.com", "Asker")
	topic := asker.ask("Why does my subscription drop?", "It drops every few minutes.")
	id := topicIDOf(topic)
	staff := userWithRole(t, s, st, "eng@example.com", "Engineer", forum.RoleStaff)
	userWithRole(t, s, st, "eng2@example.com", "Second Engineer", forum.RoleStaff)
	if w := staff.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Raise the ping interval."}, "action": {"post"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("staff reply: status %d", w.Code)
	}
	tv, _ := st.TopicPage(context.Background(), mustAtoi(t, id))
	answer := tv.Replies[0].ID
	if w := asker.post("/en/forum/p/"+itoa(answer)+"/accept", nil, true); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: status %d", w.Code)
	}
	asker.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Thanks!"}, "action": {"post"}}, true)
	inQueue := func() bool {
		return strings.Contains(staff.get("/en/forum/queue").Body.String(), "Why does my subscription drop?")
	}
	if inQueue() {
		t.Fatal("a solved topic thanked by its asker is back in the queue")
	}
	page := asker.get(topic).Body.String()
	if !strings.Contains(page, "data-still-need-help") {
		t.Fatal("the asker of a solved topic has no I still need help button")
	}
	if strings.Contains(staff.get(topic).Body.String(), "data-still-need-help") {
		t.Error("staff see the asker's I still need help button")
	}
	if w := staff.post("/en/forum/t/"+id+"/still-need-help", nil, true); w.Code != http.StatusForbidden {
		t.Errorf("staff POST still-need-help: status %d, want 403", w.Code)
	}
	if w := asker.post("/en/forum/t/"+id+"/still-need-help", nil, false); w.Code != http.StatusForbidden {
		t.Errorf("still-need-help without the CSRF token: status %d, want 403", w.Code)
	}
	if w := asker.post("/en/forum/t/"+id+"/still-need-help", nil, true); w.Code != http.StatusSeeOther {
		t.Fatalf("still-need-help: status %d", w.Code)
	}
	if !inQueue() {
		t.Fatal("after I still need help the topic is not in the queue")
	}
	if !strings.Contains(asker.get(topic).Body.String(), "Asker still needs help") {
		t.Error("the topic's history does not show I still need help")
	}

	second, _ := st.UserIDByEmail(context.Background(), "eng2@example.com")
	staff.post("/en/forum/queue/"+id+"/claim", url.Values{}, true)
	if w := staff.post("/en/forum/queue/"+id+"/assign", url.Values{"assignee": {itoa(second)}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("reassign: status %d", w.Code)
	}
	if tp, _ := st.Topic(context.Background(), mustAtoi(t, id)); tp.AssigneeID != second {
		t.Errorf("assignee %d after reassigning, want %d", tp.AssigneeID, second)
	}
	if w := staff.post("/en/forum/queue/"+id+"/assign", url.Values{"assignee": {"0"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("unclaim: status %d", w.Code)
	}
	if tp, _ := st.Topic(context.Background(), mustAtoi(t, id)); tp.AssigneeID != 0 {
		t.Errorf("assignee %d after unclaiming, want none", tp.AssigneeID)
	}
	if w := asker.post("/en/forum/queue/"+id+"/assign", url.Values{"assignee": {"0"}}, true); w.Code != http.StatusForbidden {
		t.Errorf("member unclaims: status %d, want 403", w.Code)
	}
	staff.post("/en/forum/queue/"+id+"/priority", url.Values{"priority": {"urgent"}}, true)
	if !strings.Contains(asker.get(topic).Body.String(), "Engineer changed the priority from Normal to Urgent") {
		t.Error("the topic's history does not show the priority change")
	}
}

// TestReaderTimeZone checks that times are shown in the reader's zone
// with the zone named, and that <time datetime> stays in UTC.
func TestReaderTimeZone(t *testing.T) {
	s, st := newSLAServer(t)
	asker := newBrowser(t, s)
	asker.signup("asker@example.com", "Asker")
	topic := asker.ask("What time is it?", "Asked at a known time.")
	tv, _ := st.TopicPage(context.Background(), mustAtoi(t, topicIDOf(topic)))
	created := tv.Topic.CreatedAt.UTC()
	iso := regexp.QuoteMeta(`datetime="` + created.Format("2006-01-02T15:04:05Z") + `">`)
	anon := newBrowser(t, s)
	zhPath := "/zh" + strings.TrimPrefix(topic, "/en")
	tests := []struct {
		name string
		b    *browser
		path string
		want string // the post's time as shown
	}{
		{"English reader, default UTC", anon, topic, created.Format("Jan 2, 2006 15:04") + " UTC"},
		{"Chinese reader, default China Standard Time", anon, zhPath, created.In(mustZone(t, "Asia/Shanghai")).Format("2006年1月2日 15:04") + " CST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.b.get(tt.path).Body.String()
			if !regexp.MustCompile(iso + regexp.QuoteMeta(tt.want) + "<").MatchString(body) {
				t.Errorf("page lacks <time datetime=UTC>%s</time>", tt.want)
			}
		})
	}
	if w := asker.post("/en/settings", url.Values{"time_zone": {"Mars/Olympus"}}, true); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Unknown time zone") {
		t.Errorf("unknown zone: status %d", w.Code)
	}
	if w := asker.post("/en/settings", url.Values{"time_zone": {"America/New_York"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("save time zone: status %d", w.Code)
	}
	ny := created.In(mustZone(t, "America/New_York"))
	for _, path := range []string{topic, zhPath} {
		body := asker.get(path).Body.String()
		if !strings.Contains(body, ny.Format("15:04 MST")) || !regexp.MustCompile(iso).MatchString(body) {
			t.Errorf("%s: the reader's chosen zone is not used (want %s)", path, ny.Format("15:04 MST"))
		}
	}
	// A Chinese-speaking member who chose nothing reads CST on English pages too.
	zhMember := newBrowser(t, s)
	zhMember.post("/zh/signup", url.Values{"email": {"zh@example.com"}, "name": {"陈静"}, "password": {"correct horse battery"}}, true)
	if body := zhMember.get(topic).Body.String(); !strings.Contains(body, created.In(mustZone(t, "Asia/Shanghai")).Format("Jan 2, 2006 15:04")+" CST") {
		t.Error("a Chinese member without a chosen zone does not read China Standard Time")
	}
	if w := anon.get("/en/settings"); w.Code == http.StatusOK {
		t.Error("settings served to an anonymous reader")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestPolicyMembersChooseAndDefault edits the default policy and the
// urgent choice of a category on the admin page.
func TestPolicyMembersChooseAndDefault(t *testing.T) {
	s, st := newSLAServer(t)
	admin := userWithRole(t, s, st, "admin@example.com", "Admin", forum.RoleAdmin)
	page := admin.get("/en/admin/sla").Body.String()
	if !strings.Contains(page, `id="default-urgent"`) || !strings.Contains(page, "Default (categories without their own policy)") {
		t.Fatal("the policies page lacks the default policy")
	}
	form := url.Values{"category": {"*"}, "priority": {"normal"}, "first_hours": {"6"}, "first_basis": {"business"}, "next_hours": {"3"}, "next_basis": {"business"}, "members": {"1"}}
	if w := admin.post("/en/admin/sla", form, true); w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "#default-normal") {
		t.Fatalf("save default policy: %d %q", w.Code, w.Header().Get("Location"))
	}
	urgent := url.Values{"category": {"go-sdk"}, "priority": {"urgent"}, "first_hours": {"1"}, "first_basis": {"calendar"}, "next_hours": {"1"}, "next_basis": {"calendar"}, "members": {"1"}}
	admin.post("/en/admin/sla", urgent, true)
	choices, err := st.PriorityChoices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := choices["go-sdk"]; len(got) != 3 {
		t.Errorf("members' choices in Go SDK = %v, want urgent allowed too", got)
	}
	member := newBrowser(t, s)
	member.signup("member@example.com", "Member")
	if body := member.get("/en/forum/new").Body.String(); !strings.Contains(body, `value="urgent"`) || !strings.Contains(body, "Go SDK") {
		t.Error("the question form does not offer urgent where the policy allows it")
	}
	w := member.post("/en/forum/new", url.Values{"category": {"1"}, "title": {"Everything is down"}, "body": {"Since 10:00."}, "lang": {"en"}, "priority": {"urgent"}}, true)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "one-line impact statement") {
		t.Errorf("urgent without impact in Getting started: status %d", w.Code)
	}
}

// TestSupportNavigation: staff see Queue, admins SLA policies and
// Calendars as well; members and readers see none of them.
func TestSupportNavigation(t *testing.T) {
	s, st := newSLAServer(t)
	admin := userWithRole(t, s, st, "admin@example.com", "Admin", forum.RoleAdmin)
	staff := userWithRole(t, s, st, "eng@example.com", "Engineer", forum.RoleStaff)
	member := newBrowser(t, s)
	member.signup("member@example.com", "Member")
	tests := []struct {
		name string
		b    *browser
		want map[string]bool
	}{
		{"admin", admin, map[string]bool{`href="/en/forum/queue"`: true, `href="/en/admin/sla"`: true, `href="/en/admin/sla/calendars"`: true}},
		{"staff", staff, map[string]bool{`href="/en/forum/queue"`: true, `href="/en/admin/sla"`: false, `href="/en/admin/sla/calendars"`: false}},
		{"member", member, map[string]bool{`href="/en/forum/queue"`: false, `href="/en/admin/sla"`: false, `href="/en/admin/sla/calendars"`: false}},
		{"reader", newBrowser(t, s), map[string]bool{`href="/en/forum/queue"`: false, `href="/en/admin/sla"`: false}},
	}
	for _, tt := range tests {
		body := tt.b.get("/en/forum").Body.String()
		for link, want := range tt.want {
			if got := strings.Contains(body, link); got != want {
				t.Errorf("%s: header has %s = %v, want %v", tt.name, link, got, want)
			}
		}
	}
}
