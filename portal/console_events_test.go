package portal

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

// A Premium team's registered event shows on its app's console page with
// the expected peak beside what the app measured from real traffic in the
// event's window; an event still to come says so.
func TestConsoleShowsEventsBesideMeasuredPeaks(t *testing.T) {
	ct := newConsoleServer(t)
	desk := ct.withSupport(t)
	srv := httptest.NewServer(ct.s.Handler())
	t.Cleanup(srv.Close)

	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	ctx := context.Background()
	u, err := ct.st.FindUserByUsername(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := ct.st.IssueEmailVerification(ctx, u.ID); err != nil {
		t.Fatal(err)
	} else if tok != "" {
		if _, err := ct.st.VerifyEmail(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if u, err = ct.st.FindUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	teamID, _ := strconv.ParseInt(team, 10, 64)
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Launch app"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	if strings.Contains(alice.get("/en/console/apps/"+id).Body.String(), "data-events") {
		t.Fatal("events section without any event")
	}
	if err := desk.AssignPlanSystem(ctx, teamID, support.PlanPremium); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	as := forum.NewContext(ctx, u)
	live, err := desk.RegisterEvent(as, support.NewEvent{TeamID: teamID, Name: "Spring launch", Start: now.Add(-10 * time.Minute), End: now.Add(time.Hour), PeakConns: 5000, PeakMsgs: 200})
	if err != nil {
		t.Fatal(err)
	}
	later, err := desk.RegisterEvent(as, support.NewEvent{TeamID: teamID, Name: "Finals", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour), PeakConns: 9000, PeakMsgs: 400})
	if err != nil {
		t.Fatal(err)
	}
	measured := func() string {
		t.Helper()
		page := alice.get("/en/console/apps/" + id).Body.String()
		m := regexp.MustCompile(`(?s)data-event="` + strconv.FormatInt(live.ID, 10) + `".*?data-measured>(.*?)</td>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no row for the live event:\n%.3000s", page)
		}
		if !strings.Contains(page, "5000 connections, 200 messages/s") {
			t.Error("the expected peak is missing")
		}
		if f := regexp.MustCompile(`(?s)data-event="` + strconv.FormatInt(later.ID, 10) + `".*?data-measured>(.*?)</td>`).FindStringSubmatch(page); f == nil || f[1] != "Not started yet." {
			t.Errorf("the later event's figures: %v", f)
		}
		return m[1]
	}
	if got := measured(); got != "No traffic measured in the window yet." {
		t.Errorf("before any traffic: %q", got)
	}

	tok := secrets(alice.post("/en/console/apps/"+id+"/token", url.Values{"user": {"u1"}, "ttl": {"3600"}}, true).Body.String())["token"]
	ws := "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/ws"
	sub, err := client.Dial(ctx, ws, tok)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := make(chan client.Message, 10)
	if _, err := sub.SubscribeChan(ctx, "room", got); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := sub.Publish(ctx, "room", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("publication not received")
		}
	}
	// A delivery is counted just after its write: flush until all three are.
	var text string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := ct.use.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		text = measured()
		if strings.Contains(text, "delivery rate 100.00%") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.HasPrefix(text, "1 connections, 0.1 publishes/s") || !strings.Contains(text, "delivery rate 100.00%") || !strings.Contains(text, "p99 ") {
		t.Errorf("measured in the window: %q, want 1 connection, 3 publishes in a minute, all delivered, a p99", text)
	}
}
