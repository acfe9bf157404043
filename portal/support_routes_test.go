package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// withSupport gives the test server a support desk on its database, with
// personal teams, the forum's renderer and the default schedule.
func withSupport(t testing.TB, out **support.Service) func(*Config) {
	return func(cfg *Config) {
		reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), "")
		if err != nil {
			t.Fatal(err)
		}
		sched, err := sla.DefaultSchedule(reg.Calendar("cn"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.SLA == nil {
			if cfg.SLA, err = forum.NewSLA(context.Background(), cfg.Forum, forum.SLAConfig{Schedule: sched}); err != nil {
				t.Fatal(err)
			}
		}
		desk, err := support.Open(context.Background(), support.Config{DB: cfg.DB, Teams: support.PersonalTeams{Users: cfg.Forum}, Users: cfg.Forum,
			Render: cfg.Forum.RenderPreview, Schedule: func() *sla.Schedule { return sched }})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Support = desk
		*out = desk
	}
}

func TestTicketPagesArePrivate(t *testing.T) {
	var desk *support.Service
	s, st := newForumServer(t, withSupport(t, &desk))
	admin := userWithRole(t, s, st, "root@example.com", "Root", forum.RoleAdmin)
	owner := userWithRole(t, s, st, "owner@example.com", "Owner", forum.RoleMember)
	other := userWithRole(t, s, st, "other@example.com", "Other", forum.RoleMember)
	staff := userWithRole(t, s, st, "eng@example.com", "Eng", forum.RoleStaff)
	ownerUser, _ := st.FindUserByUsername(context.Background(), "owner")

	if w := admin.post("/en/admin/plans/assign", url.Values{"team": {"owner"}, "plan": {"premium"}}, true); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "data-notice") {
		t.Fatalf("assign plan: %d\n%.500s", w.Code, w.Body.String())
	}
	if w := owner.post("/en/admin/plans/assign", url.Values{"team": {"owner"}, "plan": {"community"}}, true); w.Code != http.StatusForbidden {
		t.Errorf("a member assigns a plan: %d", w.Code)
	}
	page := owner.get("/en/support")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `data-team-plan="premium"`) || !strings.Contains(page.Body.String(), `value="urgent"`) {
		t.Fatalf("support page: %d", page.Code)
	}
	form := url.Values{"team": {itoa(ownerUser.ID)}, "subject": {"Payments channel drops"}, "body": {"App ID abc123 <script>alert(1)</script>"},
		"priority": {"urgent"}, "impact": {"checkout broken for all users"}}
	if w := owner.post("/en/support/tickets", form, false); w.Code != http.StatusForbidden {
		t.Errorf("open without CSRF: %d, want 403", w.Code)
	}
	w := owner.post("/en/support/tickets", form, true)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("open: %d\n%.800s", w.Code, w.Body.String())
	}
	path := w.Header().Get("Location")
	if !strings.HasPrefix(path, "/en/support/tickets/") {
		t.Fatalf("redirect to %q", path)
	}
	if w := staff.post(path+"/reply", url.Values{"body": {"INTERNAL: customer on old SDK"}, "note": {"1"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("note: %d", w.Code)
	}
	body := owner.get(path).Body.String()
	if !strings.Contains(body, "Payments channel drops") || strings.Contains(body, "INTERNAL") || strings.Contains(body, "<script>alert") {
		t.Errorf("owner's view: subject shown %v, note hidden %v, script escaped %v", strings.Contains(body, "Payments channel drops"),
			!strings.Contains(body, "INTERNAL"), !strings.Contains(body, "<script>alert"))
	}
	if !strings.Contains(body, "data-response-line") {
		t.Error("no response line on the ticket page")
	}
	if b := staff.get(path).Body.String(); !strings.Contains(b, "INTERNAL") {
		t.Error("staff do not see the note")
	}
	for name, b := range map[string]*browser{"other team": other, "anonymous": newBrowser(t, s)} {
		w := b.get(path)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Payments") {
			t.Errorf("%s: GET %d, want 404 without the subject", name, w.Code)
		}
		if w := b.post(path+"/reply", url.Values{"body": {"hi"}}, true); w.Code != http.StatusNotFound {
			t.Errorf("%s: reply %d, want 404", name, w.Code)
		}
		if w := b.post(path+"/solve", url.Values{}, true); w.Code != http.StatusNotFound {
			t.Errorf("%s: solve %d, want 404", name, w.Code)
		}
	}
	if w := owner.post(path+"/wait", url.Values{}, true); w.Code != http.StatusForbidden {
		t.Errorf("customer sets waiting: %d, want 403", w.Code)
	}
	q := staff.get("/en/forum/queue").Body.String()
	if !strings.Contains(q, "data-ticket-queue") || !strings.Contains(q, "Payments channel drops") {
		t.Error("the staff queue does not list the ticket")
	}
	if w := owner.get("/en/forum/queue"); w.Code != http.StatusForbidden {
		t.Errorf("a customer opens the staff queue: %d", w.Code)
	}
	if w := staff.post(path+"/reply", url.Values{"body": {"Looking now."}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("staff reply: %d", w.Code)
	}
	if b := owner.get(path).Body.String(); !strings.Contains(b, "sla-met") {
		t.Errorf("after the staff reply the line is not met:\n%.300s", b[strings.Index(b, "data-response-line")-80:])
	}
	t.Run("public figures: counts and durations, no content", func(t *testing.T) {
		w := newBrowser(t, s).get("/api/forum/response-times")
		var rep struct {
			Tickets []struct {
				Plan, Priority string
				Tickets        int    `json:"tickets"`
				Answered       int    `json:"answered"`
				Median         *int64 `json:"median_first_response_seconds"`
				TargetSeconds  int64  `json:"target_seconds"`
				TargetBasis    string `json:"target_basis"`
				Weekly         []json.RawMessage
			} `json:"tickets"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, r := range rep.Tickets {
			if r.Plan == "premium" && r.Priority == "urgent" {
				found = true
				if r.Tickets != 1 || r.Answered != 1 || r.Median == nil || r.TargetSeconds != 3600 || r.TargetBasis != "calendar" || len(r.Weekly) != 12 {
					t.Errorf("premium/urgent row %+v", r)
				}
			}
		}
		if !found {
			t.Fatalf("no premium/urgent row in %s", w.Body.String())
		}
		for _, secret := range []string{"Payments", "abc123", "owner", "checkout"} {
			if strings.Contains(w.Body.String(), secret) {
				t.Errorf("the public report contains %q", secret)
			}
		}
		dash := newBrowser(t, s).get("/en/community/response-times").Body.String()
		if !strings.Contains(dash, `data-ticket-row="premium/urgent"`) || strings.Contains(dash, "Payments") {
			t.Error("the dashboard lacks the ticket figures or shows content")
		}
	})
	t.Run("a Premium team registers an event; staff see it in the queue", func(t *testing.T) {
		f := url.Values{"team": {itoa(ownerUser.ID)}, "name": {"Product launch"}, "start": {"2099-01-01T10:00"}, "end": {"2099-01-01T14:00"},
			"peak_conns": {"100000"}, "peak_msgs": {"20000"}}
		if w := owner.post("/en/support/events", f, true); w.Code != http.StatusSeeOther {
			t.Fatalf("register: %d\n%.500s", w.Code, w.Body.String())
		}
		if b := staff.get("/en/forum/queue").Body.String(); !strings.Contains(b, "data-event-calendar") || !strings.Contains(b, "Product launch") {
			t.Error("the queue's calendar lacks the event")
		}
		if b := other.get("/en/support").Body.String(); strings.Contains(b, "Product launch") {
			t.Error("another team sees the event")
		}
	})
	t.Run("Community cannot open tickets; a pre-sales consultation can", func(t *testing.T) {
		otherUser, _ := st.FindUserByUsername(context.Background(), "other")
		f := url.Values{"team": {itoa(otherUser.ID)}, "subject": {"Can you help me"}, "body": {"please"}, "priority": {"normal"}}
		if w := other.post("/en/support/tickets", f, true); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "data-form-error") {
			t.Errorf("community ticket: %d", w.Code)
		}
		f.Set("kind", "presales")
		if w := other.post("/en/support/tickets", f, true); w.Code != http.StatusSeeOther {
			t.Errorf("pre-sales: %d\n%.500s", w.Code, w.Body.String())
		}
	})
}
