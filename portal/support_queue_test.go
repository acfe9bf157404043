package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

// queueOrder returns the queue's rows as "topic" or "ticket:<plan>"
// markers, in page order.
var queueRowRe = regexp.MustCompile(`<tr class="sla-[a-z_]+" data-(topic|ticket)="(\d+)">`)

func queueOrder(body string) []string {
	var out []string
	for _, m := range queueRowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+":"+m[2])
	}
	return out
}

// TestOneQueueForTopicsAndTickets: forum topics and tickets in one list
// sorted by time to breach, the plan filter, and claim, reassign, unclaim
// and second line from the queue.
func TestOneQueueForTopicsAndTickets(t *testing.T) {
	var desk *support.Service
	s, st := newForumServer(t, withSupport(t, &desk))
	ctx := context.Background()
	asker := newBrowser(t, s)
	asker.signup("asker@example.com", "Asker")
	topic := asker.ask("How do I reconnect after a network drop?", "My client loses its subscription when the network drops.")
	topicID := strings.SplitN(topic[strings.LastIndex(topic, "/")+1:], "-", 2)[0]
	staff := userWithRole(t, s, st, "eng@example.com", "Eng", forum.RoleStaff)
	userWithRole(t, s, st, "second@example.com", "Second", forum.RoleStaff)
	second, _ := st.FindUserByUsername(ctx, "second")
	member, _ := st.FindUserByUsername(ctx, "asker")
	open := func(name string, plan string, p support.Priority, impact string) *support.Ticket {
		t.Helper()
		userWithRole(t, s, st, name+"@example.com", name, forum.RoleMember)
		u, _ := st.FindUserByUsername(ctx, strings.ToLower(name))
		if err := desk.AssignPlanSystem(ctx, u.ID, plan); err != nil {
			t.Fatal(err)
		}
		tk, err := desk.Open(forum.NewContext(ctx, u), support.NewTicket{TeamID: u.ID, Subject: "Ticket of " + name, Body: "Help.", Priority: p, Impact: impact})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	low := open("Stan", support.PlanStandard, support.Low, "")        // 2 business days
	urgent := open("Paula", support.PlanPremium, support.Urgent, "x") // 1 hour around the clock

	body := staff.get("/en/forum/queue").Body.String()
	got := strings.Join(queueOrder(body), " ")
	want := "ticket:" + itoa(urgent.ID) + " topic:" + topicID + " ticket:" + itoa(low.ID)
	if got != want {
		t.Fatalf("queue order %q, want %q (urgent ticket, one-business-day topic, two-business-day ticket)", got, want)
	}
	for _, c := range []struct{ plan, want string }{
		{"premium", "ticket:" + itoa(urgent.ID)},
		{"standard", "ticket:" + itoa(low.ID)},
		{"forum", "topic:" + topicID},
	} {
		if got := strings.Join(queueOrder(staff.get("/en/forum/queue?plan="+c.plan).Body.String()), " "); got != c.want {
			t.Errorf("plan=%s: %q, want %q", c.plan, got, c.want)
		}
	}
	if got := strings.Join(queueOrder(staff.get("/en/forum/queue?tag=go").Body.String()), " "); got != "topic:"+topicID {
		t.Errorf("a topic filter shows %q, want the topic only", got)
	}

	back := url.Values{"back": {"/en/forum/queue?plan=premium"}}
	path := "/en/support/tickets/" + itoa(urgent.ID)
	if w := staff.post(path+"/claim", back, true); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/en/forum/queue?plan=premium" {
		t.Fatalf("claim from the queue: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if tk, _, _ := desk.Ticket(forum.NewContext(ctx, second), urgent.ID); tk.AssigneeID == 0 || tk.AssigneeID == second.ID {
		t.Fatalf("after claim the assignee is %d", tk.AssigneeID)
	}
	if w := staff.post(path+"/assign", url.Values{"assignee": {itoa(second.ID)}, "back": {"/en/forum/queue"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("reassign: %d", w.Code)
	}
	if b := staff.get("/en/forum/queue").Body.String(); !strings.Contains(b[strings.Index(b, `data-ticket="`+itoa(urgent.ID)+`"`):], "<td>Second</td>") {
		t.Error("the queue does not show the new assignee")
	}
	if w := staff.post(path+"/assign", url.Values{"assignee": {itoa(member.ID)}}, true); w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusBadRequest {
		t.Errorf("assign to a member: %d, want 400 or 422", w.Code)
	}
	if w := staff.post(path+"/unclaim", url.Values{"back": {"/en/forum/queue"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("unclaim: %d", w.Code)
	}
	if w := staff.post(path+"/second-line", url.Values{"back": {"/en/forum/queue"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("second line: %d", w.Code)
	}
	tk, _, _ := desk.Ticket(forum.NewContext(ctx, second), urgent.ID)
	if tk.AssigneeID != 0 || tk.Line != 2 {
		t.Errorf("after unclaim and second line: assignee %d line %d, want 0 and 2", tk.AssigneeID, tk.Line)
	}
}
