package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
)

// newSLAServer is newForumServer with the SLA service.
func newSLAServer(t *testing.T) (*Server, *forum.Store) {
	t.Helper()
	return newForumServer(t, func(cfg *Config) {
		x, err := forum.NewSLA(context.Background(), cfg.Forum, forum.SLAConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.SLA = x
	})
}

func TestSLAQueueAndDashboard(t *testing.T) {
	s, st := newSLAServer(t)
	asker := newBrowser(t, s)
	asker.signup("asker@example.com", "Asker")
	topic := asker.ask("How do I reconnect after a network drop?", "My client loses its subscription when the network drops.")
	id := topic[strings.LastIndex(topic, "/")+1:]
	id = id[:strings.Index(id, "-")]
	staff := userWithRole(t, s, st, "eng@example.com", "Engineer", forum.RoleStaff)

	if w := asker.get("/en/forum/queue"); w.Code != http.StatusForbidden {
		t.Errorf("member GET queue: status %d, want 403", w.Code)
	}
	if w := newBrowser(t, s).get("/en/forum/queue"); w.Code == http.StatusOK {
		t.Errorf("anonymous GET queue: status 200, want a redirect to log in")
	}
	w := staff.get("/en/forum/queue")
	if w.Code != http.StatusOK {
		t.Fatalf("staff GET queue: status %d", w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, "How do I reconnect after a network drop?") || !strings.Contains(body, `class="sla-countdown"`) || !strings.Contains(body, "due in ") {
		t.Fatalf("queue lacks the topic with a countdown:\n%.3000s", body)
	}
	// The countdown script gets the unit words, in the page's language.
	if want := `data-duration-units="{&#34;lang&#34;:&#34;en&#34;,&#34;units&#34;:{&#34;days&#34;:{&#34;one&#34;:&#34;{n} day&#34;`; !strings.Contains(body, want) {
		t.Errorf("queue lacks the duration words %s", want)
	}
	if w := staff.get("/zh/forum/queue"); !strings.Contains(w.Body.String(), "剩余 ") || !strings.Contains(w.Body.String(), `&#34;other&#34;:&#34;{n} 小时&#34;`) {
		t.Errorf("zh queue lacks the Chinese countdown or its duration words")
	}
	if w := staff.get("/en/forum/queue?lang=zh"); strings.Contains(w.Body.String(), "network drop") {
		t.Errorf("lang=zh filter still lists the English topic")
	}
	if w := staff.post("/en/forum/queue/"+id+"/claim", url.Values{"back": {"/en/forum/queue"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("claim: status %d", w.Code)
	}
	if w := staff.get("/en/forum/queue"); !strings.Contains(w.Body.String(), "Engineer") {
		t.Errorf("claimed topic does not show its assignee")
	}

	if w := asker.get(topic); !strings.Contains(w.Body.String(), "Awaiting an official response: due in ") {
		t.Errorf("topic page lacks the awaiting line:\n%.3000s", w.Body.String())
	}
	if w := staff.post("/en/forum/queue/"+id+"/waiting", url.Values{"waiting": {"1"}, "back": {"/en/forum/queue?lang=en"}}, true); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/en/forum/queue?lang=en" {
		t.Fatalf("waiting for the asker: status %d to %q", w.Code, w.Header().Get("Location"))
	}
	if w := staff.get("/en/forum/queue"); !strings.Contains(w.Body.String(), "the response clock is paused") || !strings.Contains(w.Body.String(), "Resume clock") {
		t.Errorf("paused topic not shown as paused with a resume button")
	}
	if w := asker.post("/en/forum/queue/"+id+"/priority", url.Values{"priority": {"urgent"}}, true); w.Code != http.StatusForbidden {
		t.Errorf("member sets priority: status %d, want 403", w.Code)
	}
	if w := staff.post("/en/forum/queue/"+id+"/priority", url.Values{"priority": {"urgent"}}, true); w.Code != http.StatusSeeOther {
		t.Errorf("staff sets priority: status %d", w.Code)
	}
	if w := staff.post("/en/forum/queue/"+id+"/waiting", url.Values{"waiting": {"0"}, "back": {"https://evil.example/"}}, true); w.Header().Get("Location") != "/en/forum/queue" {
		t.Errorf("resume redirected to %q, want the queue", w.Header().Get("Location"))
	}
	if w := staff.post("/en/forum/t/"+id+"/reply", url.Values{"body": {"Call Reconnect with the saved position."}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("staff reply: status %d\n%.800s", w.Code, w.Body.String())
	}
	if w := staff.get("/en/forum/queue"); strings.Contains(w.Body.String(), "network drop") {
		t.Errorf("answered topic still in the queue")
	}
	if w := asker.get(topic); !strings.Contains(w.Body.String(), `data-sla-state="met"`) || !strings.Contains(w.Body.String(), "Official response in ") {
		t.Errorf("topic page lacks the met line")
	}
	lines := s.localizer("en").slaLines(mustTopicSLA(t, s, id), s.cfg.Now(), (&view{Lang: "en", tz: time.UTC}).Date)
	if len(lines) != 1 || lines[0].State != "met" || !strings.Contains(lines[0].Text, "Official response in") || !strings.HasPrefix(lines[0].Title, "Calendar time:") {
		t.Errorf("topic line %+v, want one met line with calendar time on hover", lines)
	}

	w = newBrowser(t, s).get("/api/forum/response-times?weeks=4")
	var got reportJSON
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("api: status %d err %v\n%s", w.Code, err, w.Body.String())
	}
	if got.Weeks != 4 || got.Summary.Answered != 1 || got.Summary.Met != 1 || got.Summary.MetPercent == nil || *got.Summary.MetPercent != 100 || len(got.Weekly) != 4 {
		t.Errorf("api summary %+v weeks %d", got.Summary, len(got.Weekly))
	}
	if w := newBrowser(t, s).get("/api/forum/response-times?weeks=99"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "52 weeks") {
		t.Errorf("weeks=99: status %d %s, want 400 naming the limit", w.Code, w.Body.String())
	}
	page := newBrowser(t, s).get("/zh/community/response-times")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "<svg") || !strings.Contains(page.Body.String(), "100%") || !strings.Contains(page.Body.String(), "首次官方回复中位数") {
		t.Errorf("dashboard: status %d\n%.2000s", page.Code, page.Body.String())
	}
	csv := newBrowser(t, s).get("/en/community/response-times.csv?category=getting-started")
	if !strings.HasPrefix(csv.Body.String(), "scope,key,topics,answered,met") || !strings.Contains(csv.Body.String(), "\nall,,1,1,1,0,0,0,0,100.0,") {
		t.Errorf("csv:\n%s", csv.Body.String())
	}
}

func mustTopicSLA(t *testing.T, s *Server, id string) *forum.TopicSLA {
	t.Helper()
	m, err := s.cfg.SLA.TopicSLA(context.Background(), mustAtoi(t, id))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSLAPolicyAdmin(t *testing.T) {
	s, st := newSLAServer(t)
	admin := userWithRole(t, s, st, "admin@example.com", "Admin", forum.RoleAdmin)
	staff := userWithRole(t, s, st, "eng@example.com", "Engineer", forum.RoleStaff)
	if w := staff.get("/en/admin/sla"); w.Code != http.StatusForbidden {
		t.Errorf("staff GET policies: status %d, want 403", w.Code)
	}
	form := url.Values{"category": {"go-sdk"}, "priority": {"high"}, "first_hours": {"2.5"}, "first_basis": {"business"}, "next_hours": {""}, "next_basis": {"calendar"}}
	if w := staff.post("/en/admin/sla", form, true); w.Code != http.StatusForbidden {
		t.Errorf("staff POST policy: status %d, want 403", w.Code)
	}
	if w := admin.post("/en/admin/sla", form, true); w.Code != http.StatusSeeOther {
		t.Fatalf("admin POST policy: status %d\n%.500s", w.Code, w.Body.String())
	}
	ps, _ := s.cfg.SLA.Policies(context.Background())
	p, _ := sla.FindPolicy(ps, "go-sdk", sla.High)
	if p.FirstResponse != sla.BusinessHours(2.5) || !p.NextResponse.IsZero() {
		t.Errorf("stored policy %+v, want 2h30m business, no next target", p)
	}
	bad := url.Values{"category": {"go-sdk"}, "priority": {"high"}, "first_hours": {"-1"}, "first_basis": {"business"}}
	if w := admin.post("/en/admin/sla", bad, true); w.Code != http.StatusBadRequest {
		t.Errorf("negative target: status %d, want 400", w.Code)
	}
	if w := admin.get("/zh/admin/sla"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `value="2.5"`) {
		t.Errorf("policies page: status %d", w.Code)
	}
}

func TestSLADocsSummary(t *testing.T) {
	s, _ := newSLAServer(t)
	for _, lang := range []string{"en", "zh"} {
		w := newBrowser(t, s).get("/" + lang + "/docs/support-sla")
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, "data-sla-summary") || !strings.Contains(body, `href="/`+lang+`/community/response-times"`) {
			t.Errorf("%s support-sla: status %d, no live summary", lang, w.Code)
		}
	}
	if w := newBrowser(t, s).get("/en/docs/overview"); strings.Contains(w.Body.String(), "data-sla-summary") {
		t.Errorf("the summary shows on other docs pages")
	}
}
