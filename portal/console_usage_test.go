package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/client"
	"github.com/switchboard-rtm/switchboard/usage"
)

// TestConsoleUsage: a client connects with a token from the console's
// generator and publishes over a real WebSocket; after a flush the usage
// API, its CSV and the page show it, to the team only.
func TestConsoleUsage(t *testing.T) {
	ct := newConsoleServer(t)
	srv := httptest.NewServer(ct.s.Handler())
	t.Cleanup(srv.Close)
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Measured"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	tok := secrets(alice.post("/en/console/apps/"+id+"/token", url.Values{"user": {"u1"}, "ttl": {"3600"}}, true).Body.String())["token"]

	ctx := context.Background()
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
	if err := ct.use.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	w := alice.get("/api/console/apps/" + id + "/usage?window=48h")
	wantStatus(t, w, http.StatusOK)
	var ser usage.Series
	if err := json.Unmarshal(w.Body.Bytes(), &ser); err != nil {
		t.Fatal(err)
	}
	if len(ser.T) != 1 || ser.Publishes[0] != 3 || ser.Delivered[0] != 3 || ser.Due[0] != 3 || ser.Peak[0] != 1 || ser.P99[0] == nil {
		t.Fatalf("series %s", w.Body.String())
	}
	if len(ser.SDKs) != 1 {
		t.Fatalf("SDK census %v, want the Go SDK", ser.SDKs)
	}
	csv := alice.get("/api/console/apps/" + id + "/usage?window=48h&format=csv")
	if lines := strings.Split(strings.TrimSpace(csv.Body.String()), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "start_utc,connections") ||
		!strings.Contains(lines[1], ",3,3,3,1,") {
		t.Fatalf("csv:\n%s", csv.Body.String())
	}
	page := alice.get("/en/console/apps/" + id + "/usage")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body.String(), `data-total-rate>100.00%`) || !strings.Contains(page.Body.String(), "data-usage-rows") ||
		!strings.Contains(page.Body.String(), "switchboard-go") {
		t.Fatal("the usage page lacks the delivery rate, the per-minute table or the SDK census")
	}
	if zh := alice.get("/zh/console/apps/" + id + "/usage?window=30d"); zh.Code != http.StatusOK || !strings.Contains(zh.Body.String(), "这些数据如何度量") {
		t.Fatalf("zh 30-day page: %d", zh.Code)
	}
	if w := alice.get("/api/console/apps/" + id + "/usage?window=7d"); w.Code != http.StatusBadRequest {
		t.Fatalf("window 7d: %d", w.Code)
	}

	// Anyone else: 404, signed in or not, for real and made-up IDs alike.
	bob := newBrowser(t, ct.s)
	bob.ip = "192.0.2.9:1"
	bob.signup("bob@example.com", "Bob")
	anon := newBrowser(t, ct.s)
	for _, b := range []*browser{bob, anon} {
		for _, p := range []string{"/api/console/apps/" + id + "/usage", "/api/console/apps/0123456789abcdef0123456789abcdef/usage"} {
			if w := b.get(p); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"status":404`) {
				t.Errorf("GET %s by an outsider: %d %s", p, w.Code, w.Body.String())
			}
		}
	}
	if w := bob.get("/en/console/apps/" + id + "/usage"); w.Code != http.StatusNotFound {
		t.Errorf("usage page by an outsider: %d", w.Code)
	}
}
