package serverapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
)

// Every route the handler serves is in openapi.json and every documented
// route answers (not with "no endpoint").
func TestRoutesMatchOpenAPI(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(serverapi.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	var documented, served []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	for _, r := range serverapi.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("documented routes\n%s\nserved routes\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
	v := newEnv(t, envOpts{})
	for _, route := range documented {
		method, path, _ := strings.Cut(route, " ")
		path = strings.NewReplacer("{channel}", "room", "{user}", "alice").Replace(path)
		r := v.call(method, path, "")
		if r.status == http.StatusNotFound || r.errCode() == int(engine.CodeUnknownOp) {
			t.Errorf("%s: %d %s, want the endpoint to exist", route, r.status, r.body)
		}
	}
	r := v.callKey("", "GET", "/v1/api/openapi.json", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json without a key: %d %.80s", r.status, r.body)
	}
}

func TestAuth(t *testing.T) {
	v := newEnv(t, envOpts{})
	body := `{"channel":"news","data":1}`
	for _, tc := range []struct{ name, header string }{
		{"no header", ""},
		{"not bearer", "Basic " + v.app.APIKey},
		{"empty key", "Bearer "},
		{"wrong key", "Bearer sb_0123456789"},
		{"the certificate", "Bearer " + v.app.Certificate},
	} {
		req, _ := http.NewRequest("POST", v.url+"/v1/api/publish", strings.NewReader(body))
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b struct{ Error engine.Error }
		json.NewDecoder(res.Body).Decode(&b)
		res.Body.Close()
		if res.StatusCode != 401 || b.Error.Code != engine.CodeAPIKeyInvalid || b.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 401 with code 116", tc.name, res.StatusCode, b.Error)
		}
	}
	if r := v.call("POST", "/v1/api/publish", body); r.status != 200 {
		t.Fatalf("right key: %d %s", r.status, r.body)
	}
	var h struct{ Publications []any }
	v.call("GET", "/v1/api/channels/news/history", "").json(t, &h)
	if len(h.Publications) != 1 {
		t.Fatalf("%d publications, want only the authenticated one", len(h.Publications))
	}
}

// After a rotation with an overlap both keys work; after one without,
// the old key is refused.
func TestRotationOverlap(t *testing.T) {
	v := newEnv(t, envOpts{})
	old := v.app.APIKey
	k2, err := v.e.RotateAPIKey(t.Context(), v.app.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{old, k2} {
		if r := v.callKey(k, "GET", "/v1/api/channels", ""); r.status != 200 {
			t.Fatalf("during the overlap, key %.11s: %d %s", k, r.status, r.body)
		}
	}
	k3, err := v.e.RotateAPIKey(t.Context(), v.app.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{old, k2} {
		wantError(t, "replaced key", v.callKey(k, "GET", "/v1/api/channels", ""), 401, 116)
	}
	if r := v.callKey(k3, "GET", "/v1/api/channels", ""); r.status != 200 {
		t.Fatalf("new key: %d %s", r.status, r.body)
	}
}

func TestPublish(t *testing.T) {
	v := newEnv(t, envOpts{})
	sub := v.connect("alice")
	sub.call("subscribe", map[string]any{"channel": "news"})
	var pos struct {
		Offset uint64
		Epoch  string
	}
	r := v.call("POST", "/v1/api/publish", `{"channel":"news","data":{"text":"hello"}}`)
	r.json(t, &pos)
	if r.status != 200 || pos.Offset != 1 || pos.Epoch == "" {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	p := sub.push("pub")
	if string(p["data"]) != `{"text":"hello"}` || string(p["from"]) != `""` || string(p["offset"]) != "1" {
		t.Fatalf("subscriber got %v, want the data from the server (from \"\") at offset 1", p)
	}
}

// The same idempotency_key within 5 minutes returns the first result and
// publishes nothing; another key, another app's key or an expired key
// publishes.
func TestIdempotency(t *testing.T) {
	v := newEnv(t, envOpts{})
	sub := v.connect("alice")
	sub.call("subscribe", map[string]any{"channel": "orders"})
	pub := func(key string, data int) (uint64, bool) {
		t.Helper()
		r := v.call("POST", "/v1/api/publish", fmt.Sprintf(`{"channel":"orders","data":%d,"idempotency_key":%q}`, data, key))
		var pos struct{ Offset uint64 }
		r.json(t, &pos)
		if r.status != 200 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		return pos.Offset, r.header.Get("Idempotent-Replayed") == "true"
	}
	if off, replayed := pub("order-1", 1); off != 1 || replayed {
		t.Fatalf("first: offset %d replayed %v", off, replayed)
	}
	sub.push("pub")
	// A retry, even with other data, returns the first result.
	if off, replayed := pub("order-1", 2); off != 1 || !replayed {
		t.Fatalf("retry: offset %d replayed %v, want 1 and replayed", off, replayed)
	}
	sub.noPush("pub", 200*time.Millisecond)
	if off, _ := pub("order-2", 3); off != 2 {
		t.Fatalf("another key: offset %d, want 2", off)
	}
	sub.push("pub")
	v.clock.Advance(serverapi.IdempotencyWindow)
	if off, replayed := pub("order-1", 4); off != 3 || replayed {
		t.Fatalf("after 5 minutes: offset %d replayed %v, want a new publication at 3", off, replayed)
	}
	var h struct{ Publications []struct{ Data int } }
	v.call("GET", "/v1/api/channels/orders/history", "").json(t, &h)
	var got []int
	for _, p := range h.Publications {
		got = append(got, p.Data)
	}
	if fmt.Sprint(got) != "[1 3 4]" {
		t.Fatalf("history %v, want [1 3 4]", got)
	}
}

// Bad requests get a clear error with the right status, and publish nothing.
func TestBadRequests(t *testing.T) {
	v := newEnv(t, envOpts{})
	limits := v.e.Limits()
	big := `"` + strings.Repeat("x", limits.MaxMessageBytes) + `"`
	huge := `"` + strings.Repeat("x", limits.MaxFrameBytes) + `"`
	for _, tc := range []struct {
		name, method, path, body string
		status, code             int
		msg                      string
	}{
		{"bad JSON", "POST", "/v1/api/publish", `{"channel":"news",`, 400, 101, "not valid JSON"},
		{"not an object", "POST", "/v1/api/publish", `[1]`, 400, 101, "must be a JSON object"},
		{"data after the object", "POST", "/v1/api/publish", `{"channel":"news","data":1} {}`, 400, 101, "after the JSON object"},
		{"unknown field", "POST", "/v1/api/publish", `{"channel":"news","data":1,"chanel":"x"}`, 400, 101, `unknown field "chanel"`},
		{"wrong type", "POST", "/v1/api/publish", `{"channel":5,"data":1}`, 400, 101, `field "channel" must be a string, not a number`},
		{"wrong type of idempotency_key", "POST", "/v1/api/publish", `{"channel":"news","data":1,"idempotency_key":true}`, 400, 101, `"idempotency_key" must be a string`},
		{"missing data", "POST", "/v1/api/publish", `{"channel":"news"}`, 400, 101, "missing data"},
		{"bad channel", "POST", "/v1/api/publish", `{"channel":"no spaces","data":1}`, 400, 120, "channel"},
		{"data over the message limit", "POST", "/v1/api/publish", `{"channel":"news","data":` + big + `}`, 413, 130, "limit"},
		{"body over the limit", "POST", "/v1/api/publish", `{"channel":"news","data":` + huge + `}`, 413, 130, fmt.Sprint(limits.MaxFrameBytes)},
		{"broadcast without channels", "POST", "/v1/api/broadcast", `{"channels":[],"data":1}`, 400, 101, "1-100"},
		{"broadcast to too many", "POST", "/v1/api/broadcast", `{"channels":[` + strings.TrimSuffix(strings.Repeat(`"news",`, 101), ",") + `],"data":1}`, 400, 101, "1-100"},
		{"broadcast with big data", "POST", "/v1/api/broadcast", `{"channels":["news"],"data":` + big + `}`, 413, 130, "limit"},
		{"broadcast channels of the wrong type", "POST", "/v1/api/broadcast", `{"channels":"news","data":1}`, 400, 101, `"channels" must be an array`},
		{"history limit not a number", "GET", "/v1/api/channels/news/history?limit=ten", "", 400, 101, "limit"},
		{"history limit too big", "GET", "/v1/api/channels/news/history?limit=100000", "", 400, 101, "limit"},
		{"history latest not a boolean", "GET", "/v1/api/channels/news/history?latest=maybe", "", 400, 101, "latest"},
		{"history of a bad channel", "GET", "/v1/api/channels/bad%20name/history", "", 400, 120, "channel"},
		{"presence of a bad channel", "GET", "/v1/api/channels/bad%20name/presence", "", 400, 120, "channel"},
		{"channels limit too big", "GET", "/v1/api/channels?limit=5000", "", 400, 101, "limit"},
		{"message to a bad user", "POST", "/v1/api/users/" + strings.Repeat("u", 200) + "/messages", `{"data":1}`, 400, 140, "user"},
		{"message without data", "POST", "/v1/api/users/alice/messages", `{}`, 400, 101, "data"},
		{"message store of the wrong type", "POST", "/v1/api/users/alice/messages", `{"data":1,"store":"no"}`, 400, 101, `"store" must be a boolean`},
		{"unsubscribe from a bad channel", "POST", "/v1/api/users/alice/unsubscribe", `{"channel":""}`, 400, 120, "channel"},
		{"unknown endpoint", "GET", "/v1/api/nothing", "", 404, 102, "no endpoint"},
		{"wrong method", "GET", "/v1/api/publish", "", 404, 102, "no endpoint"},
	} {
		r := v.call(tc.method, tc.path, tc.body)
		wantError(t, tc.name, r, tc.status, tc.code)
		var b struct{ Error engine.Error }
		r.json(t, &b)
		if !strings.Contains(b.Error.Message, tc.msg) {
			t.Errorf("%s: message %s, want it to mention %q", tc.name, r.body, tc.msg)
		}
	}
	var h struct{ Offset uint64 }
	v.call("GET", "/v1/api/channels/news/history", "").json(t, &h)
	if h.Offset != 0 {
		t.Fatalf("a bad request published: channel offset %d", h.Offset)
	}
}

// A broadcast publishes to every valid channel and reports the invalid
// ones, in the request's order.
func TestBroadcastPartialFailure(t *testing.T) {
	v := newEnv(t, envOpts{})
	a, b := v.connect("alice"), v.connect("bob")
	a.call("subscribe", map[string]any{"channel": "room-a"})
	b.call("subscribe", map[string]any{"channel": "room-b"})
	var out struct {
		Results []struct {
			Channel string
			Offset  uint64
			Epoch   string
			Error   *engine.Error
		}
	}
	r := v.call("POST", "/v1/api/broadcast", `{"channels":["room-a","not valid!","room-b"],"data":"hi"}`)
	r.json(t, &out)
	if r.status != 200 || len(out.Results) != 3 {
		t.Fatalf("broadcast: %d %s", r.status, r.body)
	}
	if res := out.Results[0]; res.Channel != "room-a" || res.Offset != 1 || res.Epoch == "" || res.Error != nil {
		t.Fatalf("room-a: %+v", res)
	}
	if res := out.Results[1]; res.Channel != "not valid!" || res.Error == nil || res.Error.Code != engine.CodeChannelInvalid || res.Offset != 0 {
		t.Fatalf("invalid channel: %+v, want error 120", res)
	}
	if res := out.Results[2]; res.Channel != "room-b" || res.Offset != 1 || res.Error != nil {
		t.Fatalf("room-b: %+v", res)
	}
	for _, w := range []*ws{a, b} {
		if p := w.push("pub"); string(p["data"]) != `"hi"` {
			t.Fatalf("subscriber got %v", p)
		}
	}
}

func TestHistory(t *testing.T) {
	v := newEnv(t, envOpts{})
	for i := 1; i <= 5; i++ {
		v.call("POST", "/v1/api/publish", fmt.Sprintf(`{"channel":"log","data":%d}`, i))
	}
	for _, tc := range []struct{ query, want string }{
		{"", "[1 2 3 4 5]"},
		{"?since=2&limit=2", "[3 4]"},
		{"?since=1&until=3", "[2 3]"},
		{"?limit=2&latest=true", "[4 5]"},
		{"?since=5", "[]"},
	} {
		var h struct {
			Offset, Oldest uint64
			Epoch          string
			Publications   []struct {
				Offset uint64
				Data   int
				From   string
				Time   int64
			}
		}
		r := v.call("GET", "/v1/api/channels/log/history"+tc.query, "")
		r.json(t, &h)
		got := []int{}
		for _, p := range h.Publications {
			if p.Time == 0 || p.From != "" || p.Offset != uint64(p.Data) {
				t.Fatalf("%s: publication %+v", tc.query, p)
			}
			got = append(got, p.Data)
		}
		if fmt.Sprint(got) != tc.want || h.Offset != 5 || h.Oldest != 1 || h.Epoch == "" {
			t.Errorf("history%s: %s, want publications %s at stream offset 5", tc.query, r.body, tc.want)
		}
	}
}

func TestPresenceAndOccupancy(t *testing.T) {
	v := newEnv(t, envOpts{})
	a1, a2, b := v.connect("alice"), v.connect("alice"), v.connect("bob")
	for _, w := range []*ws{a1, a2, b} {
		w.call("subscribe", map[string]any{"channel": "room"})
	}
	b.call("set_state", map[string]any{"channel": "room", "state": map[string]string{"typing": "yes"}})
	var p struct {
		Clients []struct {
			User, Client string
			State        map[string]string
		}
	}
	v.call("GET", "/v1/api/channels/room/presence", "").json(t, &p)
	var got []string
	for _, c := range p.Clients {
		got = append(got, fmt.Sprintf("%s/%s/%v", c.User, c.Client, c.State))
	}
	alice := []string{a1.client, a2.client}
	slices.Sort(alice)
	want := []string{"alice/" + alice[0] + "/map[]", "alice/" + alice[1] + "/map[]", "bob/" + b.client + "/map[typing:yes]"}
	if !slices.Equal(got, want) {
		t.Fatalf("presence %v, want %v", got, want)
	}
	var o engine.Occupancy
	v.call("GET", "/v1/api/channels/room/occupancy", "").json(t, &o)
	if o != (engine.Occupancy{Clients: 3, Users: 2}) {
		t.Fatalf("occupancy %+v, want 3 clients of 2 users", o)
	}
	var empty struct{ Clients []any }
	r := v.call("GET", "/v1/api/channels/nobody/presence", "")
	r.json(t, &empty)
	if r.status != 200 || empty.Clients == nil || len(empty.Clients) != 0 {
		t.Fatalf("empty channel's presence: %s, want an empty list", r.body)
	}
}

func TestChannelsPaginated(t *testing.T) {
	v := newEnv(t, envOpts{})
	w1, w2 := v.connect("alice"), v.connect("bob")
	for _, ch := range []string{"game:3", "game:1", "game:2", "chat"} {
		w1.call("subscribe", map[string]any{"channel": ch})
	}
	w2.call("subscribe", map[string]any{"channel": "game:2"})
	type page struct {
		Channels   []engine.ChannelInfo
		NextCursor string `json:"next_cursor"`
	}
	var p1, p2 page
	v.call("GET", "/v1/api/channels?prefix=game:&limit=2", "").json(t, &p1)
	if fmt.Sprint(p1.Channels) != "[{game:1 1} {game:2 2}]" || p1.NextCursor != "game:2" {
		t.Fatalf("page 1: %+v", p1)
	}
	v.call("GET", "/v1/api/channels?prefix=game:&limit=2&cursor="+p1.NextCursor, "").json(t, &p2)
	if fmt.Sprint(p2.Channels) != "[{game:3 1}]" || p2.NextCursor != "" {
		t.Fatalf("page 2: %+v", p2)
	}
	var all page
	v.call("GET", "/v1/api/channels", "").json(t, &all)
	if len(all.Channels) != 4 {
		t.Fatalf("all channels: %+v", all)
	}
	w1.call("unsubscribe", map[string]any{"channel": "chat"})
	v.call("GET", "/v1/api/channels?prefix=chat", "").json(t, &all)
	if len(all.Channels) != 0 {
		t.Fatalf("a channel without subscribers is listed: %+v", all)
	}
}

// A peer message from the server has the protocol's receipt.
func TestUserMessages(t *testing.T) {
	v := newEnv(t, envOpts{})
	alice := v.connect("alice")
	var rec engine.PeerReceipt
	v.call("POST", "/v1/api/users/alice/messages", `{"data":{"n":1}}`).json(t, &rec)
	if rec.Status != engine.PeerDelivered {
		t.Fatalf("online user: %+v, want delivered", rec)
	}
	if p := alice.push("peer"); string(p["data"]) != `{"n":1}` || string(p["from"]) != `""` {
		t.Fatalf("alice got %v", p)
	}
	rec = engine.PeerReceipt{}
	v.call("POST", "/v1/api/users/bob%2Fhome/messages", `{"data":2}`).json(t, &rec)
	if rec.Status != engine.PeerStored || rec.MessageID == 0 || rec.ExpiresAt <= time.Now().Unix() {
		t.Fatalf("offline user: %+v, want stored", rec)
	}
	bob := v.connect("bob/home")
	if p := bob.push("peer"); string(p["data"]) != "2" || string(p["offline"]) != "true" {
		t.Fatalf("bob/home got %v, want the stored message", p)
	}
	rec = engine.PeerReceipt{}
	v.call("POST", "/v1/api/users/carol/messages", `{"data":3,"store":false}`).json(t, &rec)
	if rec.Status != engine.PeerFailed || rec.Reason != engine.ReasonOffline {
		t.Fatalf("offline without store: %+v, want failed/offline", rec)
	}
}

func TestUserDisconnect(t *testing.T) {
	v := newEnv(t, envOpts{})
	a1, a2, b := v.connect("alice"), v.connect("alice"), v.connect("bob")
	var out struct{ Disconnected int }
	v.call("POST", "/v1/api/users/alice/disconnect", "").json(t, &out)
	if out.Disconnected != 2 {
		t.Fatalf("disconnected %d, want 2", out.Disconnected)
	}
	for _, w := range []*ws{a1, a2} {
		if c := w.closeCode(); c != websocket.StatusCode(engine.CloseUserDisconnected) {
			t.Fatalf("close code %d, want %d", c, engine.CloseUserDisconnected)
		}
	}
	b.call("subscribe", map[string]any{"channel": "still-here"}) // bob is still connected
	v.call("POST", "/v1/api/users/nobody/disconnect", "{}").json(t, &out)
	if out.Disconnected != 0 {
		t.Fatalf("unknown user: disconnected %d", out.Disconnected)
	}
}

func TestUserUnsubscribe(t *testing.T) {
	v := newEnv(t, envOpts{})
	a := v.connect("alice")
	a.call("subscribe", map[string]any{"channel": "room", "presence": true})
	a.call("subscribe", map[string]any{"channel": "other"})
	var out struct{ Unsubscribed int }
	v.call("POST", "/v1/api/users/alice/unsubscribe", `{"channel":"room"}`).json(t, &out)
	if out.Unsubscribed != 1 {
		t.Fatalf("unsubscribed %d, want 1", out.Unsubscribed)
	}
	if p := a.push("unsubscribed"); string(p["channel"]) != `"room"` {
		t.Fatalf("push %v", p)
	}
	v.call("POST", "/v1/api/publish", `{"channel":"room","data":1}`)
	v.call("POST", "/v1/api/publish", `{"channel":"other","data":2}`)
	if p := a.push("pub"); string(p["channel"]) != `"other"` {
		t.Fatalf("after the unsubscribe, got %v, want only other's publication", p)
	}
	var o engine.Occupancy
	v.call("GET", "/v1/api/channels/room/occupancy", "").json(t, &o)
	if o.Clients != 0 {
		t.Fatalf("occupancy after unsubscribe %+v", o)
	}
	// The client may subscribe again.
	if r := a.call("subscribe", map[string]any{"channel": "room"}); r["error"] != nil {
		t.Fatalf("subscribe again: %v", r)
	}
}

func TestRateLimited(t *testing.T) {
	v := newEnv(t, envOpts{limits: engine.Limits{APIRate: 0.001, APIBurst: 2}})
	for i := range 2 {
		if r := v.call("GET", "/v1/api/channels", ""); r.status != 200 {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	r := v.call("POST", "/v1/api/publish", `{"channel":"news","data":1}`)
	wantError(t, "over the rate", r, 429, 131)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	res, err := v.e.History(t.Context(), v.app.ID, "news", engine.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Position.Offset != 0 {
		t.Fatal("a rate-limited publish was published")
	}
}

// An app's own server API rate (apps set -api-rate) replaces the engine's.
func TestAppRateOverride(t *testing.T) {
	v := newEnv(t, envOpts{})
	if err := v.e.SetAppLimits(t.Context(), v.app.ID, engine.AppLimits{APIRate: 0.001}); err != nil {
		t.Fatal(err)
	}
	if r := v.call("GET", "/v1/api/channels", ""); r.status != 200 {
		t.Fatalf("first request: %d %s", r.status, r.body)
	}
	r := v.call("GET", "/v1/api/channels", "")
	wantError(t, "second request at a rate of 0.001/s, burst 1", r, 429, 131)
	var b struct{ Error engine.Error }
	r.json(t, &b)
	if !strings.Contains(b.Error.Message, "0.001 requests per second (burst 1)") {
		t.Fatalf("message %q", b.Error.Message)
	}
}
