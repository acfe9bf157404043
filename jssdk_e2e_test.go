package main

// End-to-end tests of the JavaScript SDK (engine/jssdk): the real server
// wiring on a loopback port with a SQLite file in a temp dir, a real
// headless Chromium, and the SDK imported from the portal at
// /sdk/v1/switchboard.js. Each test evaluates a script in a page of the
// server's own origin (portal pages forbid inline script, so scripts are run
// through the DevTools protocol) and checks what the script saw.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/internal/browser"
)

// jsEnv is a running server with an app, and a browser.
type jsEnv struct {
	m       *Main
	app     engine.App
	base    string          // the portal's origin
	browser context.Context // the first tab; pages are new tabs beside it
}

func newJSEnv(t *testing.T) *jsEnv {
	t.Helper()
	ctx := context.Background()
	env := &jsEnv{m: startMain(t, "127.0.0.1:0", t.TempDir())}
	m := env.m
	app, err := m.Engine.CreateApp(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	env.app = app
	env.base = m.URL()
	res, err := http.Get(env.base + "/sdk/v1/switchboard.js")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /sdk/v1/switchboard.js: status %d, want 200 (app.go must set portal.Config.SDK = jssdk.FS())", res.StatusCode)
	}
	env.browser = browser.New(t)
	return env
}

// startMain runs the full server wiring until the test ends.
func startMain(t *testing.T, addr, dataDir string) *Main {
	t.Helper()
	m := NewMain(Config{Addr: addr, DataDir: dataDir}, nil)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m
}

// page opens a tab on a page of the portal's origin and imports the SDK
// from the portal into it as window.sb. The page's console output and
// uncaught exceptions are logged if the test fails.
func (env *jsEnv) page(t *testing.T) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(env.browser)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var logs []string
	logf := func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() {
			t.Logf("page output:\n%s", strings.Join(logs, "\n"))
		}
	})
	if err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			logf("exception: %s", (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value))
			}
			logf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(env.base+"/healthz")); err != nil {
		t.Fatal(err)
	}
	helpers, err := os.ReadFile("engine/jssdk/testdata/page_helpers.js")
	if err != nil {
		t.Fatal(err)
	}
	runJS(t, tab, "window.sb = await import('/sdk/v1/switchboard.js');\n"+string(helpers), nil)
	return tab
}

// runJS runs script as the body of an async function in the page and
// decodes what it returns into out.
func runJS(t *testing.T, page context.Context, script string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(page, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte]("(async () => {\n"+script+"\n})()", chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("script failed: %v", err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

// token mints a token for user in env's app, as a JS string literal.
func (env *jsEnv) token(t *testing.T, user string, ttl time.Duration) string {
	t.Helper()
	return env.tokenWith(t, env.app, engine.Claims{Subject: user}, ttl)
}

func (env *jsEnv) tokenWith(t *testing.T, app engine.App, c engine.Claims, ttl time.Duration) string {
	t.Helper()
	tok, err := engine.MintToken(app.ID, app.Certificate, c, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return jsString(tok)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// script fills {{NAME}} placeholders in a script.
func script(s string, kv ...string) string {
	return strings.NewReplacer(kv...).Replace(s)
}

func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	json.Unmarshal(g, &gv)
	json.Unmarshal(w, &wv)
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("%s: got %s, want %s", what, g, w)
	}
}

// serveInPage answers the page's requests for urlPattern with body, through
// the DevTools Fetch domain, so that a file that the portal does not serve
// can be imported from the portal's origin.
func serveInPage(t *testing.T, page context.Context, urlPattern string, body []byte) {
	t.Helper()
	paused := chromedp.Events(page, fetch.RequestPaused)
	go func() {
		for e, err := range paused {
			if err != nil {
				return
			}
			chromedp.Call(page, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: e.RequestID, ResponseCode: 200, Body: body,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/javascript; charset=utf-8"}},
			})
		}
	}()
	if _, err := chromedp.Call(page, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: urlPattern}}}); err != nil {
		t.Fatal(err)
	}
}

func TestJSSDK(t *testing.T) {
	env := newJSEnv(t)
	hour := time.Hour

	t.Run("connect", func(t *testing.T) {
		t.Parallel()
		var got map[string]any
		runJS(t, env.page(t), script(`
const c = await sb.connect(T.url, {{TOK}});
const info = c.info;
const r = { user: info.userId, app: info.appId, connected: c.connected, clientId: info.clientId.length > 0,
  expiresInHour: Math.abs(info.expiresAt - Date.now() - 3600000) < 60000, maxMessage: info.limits.max_message_bytes };
c.close();
return r;`, "{{TOK}}", env.token(t, "alice", hour)), &got)
		assertJSON(t, "connect", got, map[string]any{"user": "alice", "app": env.app.ID, "connected": true,
			"clientId": true, "expiresInHour": true, "maxMessage": 32768})
	})

	t.Run("publish and subscribe across two clients", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Positions []map[string]any
			Received  []map[string]any
			Epoch     bool
		}
		runJS(t, env.page(t), script(`
const a = await sb.connect(T.url, {{A}});
const b = await sb.connect(T.url, {{B}});
const received = [];
const sub = await a.subscribe('news', { onMessage: (m) => received.push(m) });
const positions = [];
for (const text of ['one', 'two', 'three']) positions.push(await b.publish('news', { text }));
await T.waitFor('3 messages', () => received.length === 3);
const r = {
  positions: positions.map((p) => ({ offset: p.offset })),
  received: received.map((m) => ({ channel: m.channel, offset: m.offset, from: m.from, text: m.data.text, time: m.time instanceof Date })),
  epoch: received.every((m) => m.epoch === positions[0].epoch && m.epoch !== '') && sub.position.offset === 3,
};
a.close(); b.close();
return r;`, "{{A}}", env.token(t, "alice", hour), "{{B}}", env.token(t, "bob", hour)), &got)
		assertJSON(t, "publish positions", got.Positions, []map[string]any{{"offset": 1}, {"offset": 2}, {"offset": 3}})
		assertJSON(t, "received", got.Received, []map[string]any{
			{"channel": "news", "offset": 1, "from": "bob", "text": "one", "time": true},
			{"channel": "news", "offset": 2, "from": "bob", "text": "two", "time": true},
			{"channel": "news", "offset": 3, "from": "bob", "text": "three", "time": true},
		})
		if !got.Epoch {
			t.Error("messages and publish results should share one non-empty epoch, and sub.position should be offset 3")
		}
	})

	t.Run("presence, state and whereNow", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Events     []string
			Members    []map[string]any
			Where      []string
			WhereAfter []string
			ViaClient  []string
		}
		runJS(t, env.page(t), script(`
const a = await sb.connect(T.url, {{A}});
const b = await sb.connect(T.url, {{B}});
const events = [];
await a.subscribe('room', { onPresence: (e) => { if (e.user === 'pb') events.push(e.type + ' ' + e.user + ' ' + JSON.stringify(e.state)); } });
const viaClient = [];
const removed = () => viaClient.push('a listener removed with off() was called');
a.on('presence', (e) => { if (e.user === 'pb') viaClient.push(e.type); }).on('presence', removed).off('presence', removed);
const bsub = await b.subscribe('room');
await b.setState('room', { mood: 'busy' });
await T.waitFor('join and state', () => events.length >= 2);
const members = await a.presence('room');
const where = await a.whereNow('pb');
await bsub.unsubscribe();
await T.waitFor('leave', () => events.length >= 3);
const whereAfter = await a.whereNow('pb');
a.close(); b.close();
return { events, members, where, whereAfter, viaClient };`, "{{A}}", env.token(t, "pa", hour), "{{B}}", env.token(t, "pb", hour)), &got)
		assertJSON(t, "presence events", got.Events, []string{`join pb {}`, `state pb {"mood":"busy"}`, `leave pb {}`})
		assertJSON(t, "client presence events", got.ViaClient, []string{"join", "state", "leave"})
		assertJSON(t, "members", got.Members, []map[string]any{
			{"user": "pa", "connections": 1, "state": map[string]any{}},
			{"user": "pb", "connections": 1, "state": map[string]any{"mood": "busy"}},
		})
		assertJSON(t, "whereNow while subscribed", got.Where, []string{"room"})
		assertJSON(t, "whereNow after unsubscribe", got.WhereAfter, []string{})
	})

	t.Run("peer messages online, stored offline and delivered at login", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Receipts   []map[string]any
			Online     []map[string]any
			Offline    []map[string]any
			NextLogin  int
			StoredDays float64
		}
		runJS(t, env.page(t), script(`
const online = [];
const carol = await sb.connect(T.url, {{CAROL}}, { on: { peer: (m) => online.push(m) } });
const alice = await sb.connect(T.url, {{ALICE}});
const receipts = [];
receipts.push(await alice.sendPeer('carol', { n: 1 }));
await T.waitFor('carol got it', () => online.length === 1);
receipts.push(await alice.sendPeer('dave', { n: 1 }));
receipts.push(await alice.sendPeer('dave', { n: 2 }));
receipts.push(await alice.sendPeer('erin', { n: 1 }, { store: false }));
const offline = [];
const dave = await sb.connect(T.url, {{DAVE}}, { on: { peer: (m) => offline.push(m) } });
await T.waitFor('dave got 2', () => offline.length === 2);
dave.close();
// The stored messages were acknowledged: the next login gets none.
const again = [];
const dave2 = await sb.connect(T.url, {{DAVE}}, { on: { peer: (m) => again.push(m) } });
await T.sleep(300);
dave2.close(); carol.close(); alice.close();
const msg = (m) => ({ from: m.from, n: m.data.n, offline: m.offline, id: m.messageId > 0, time: m.time instanceof Date });
return {
  receipts: receipts.map((r) => ({ status: r.status, reason: r.reason, id: r.messageId > 0 })),
  storedDays: (receipts[1].expiresAt - Date.now()) / 86400000,
  online: online.map(msg), offline: offline.map(msg), nextLogin: again.length,
};`, "{{CAROL}}", env.token(t, "carol", hour), "{{ALICE}}", env.token(t, "alice", hour), "{{DAVE}}", env.token(t, "dave", hour)), &got)
		assertJSON(t, "receipts", got.Receipts, []map[string]any{
			{"status": "delivered", "reason": "", "id": false},
			{"status": "stored", "reason": "", "id": true},
			{"status": "stored", "reason": "", "id": true},
			{"status": "failed", "reason": "offline", "id": false},
		})
		assertJSON(t, "online message", got.Online, []map[string]any{{"from": "alice", "n": 1, "offline": false, "id": false, "time": true}})
		assertJSON(t, "stored messages at login, in order", got.Offline, []map[string]any{
			{"from": "alice", "n": 1, "offline": true, "id": true, "time": true},
			{"from": "alice", "n": 2, "offline": true, "id": true, "time": true},
		})
		if got.NextLogin != 0 {
			t.Errorf("second login got %d stored messages again, want 0 (they were acknowledged)", got.NextLogin)
		}
		if got.StoredDays < 0.99 || got.StoredDays > 1.01 {
			t.Errorf("stored message expires in %.2f days, want 1", got.StoredDays)
		}
	})

	t.Run("history by last N and by offset range", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Last, Range, Recovery []any
			Offset, Oldest        int
			Resumed               []int
		}
		runJS(t, env.page(t), script(`
const c = await sb.connect(T.url, {{A}});
for (let i = 1; i <= 5; i++) await c.publish('log', 'm' + i);
const last = await c.history('log', { latest: true, limit: 2 });
const range = await c.history('log', { since: 1, until: 3 });
// Resume from a saved position: what came after it is delivered first.
const resumed = [];
const sub = await c.subscribe('log', { recover: { offset: 2, epoch: last.position.epoch }, onMessage: (m) => resumed.push(m.offset) });
await T.waitFor('3 recovered', () => resumed.length === 3);
// From another epoch nothing can be recovered, and the client is told so.
const stale = await c.subscribe('log2', { recover: { offset: 2, epoch: 'stale' } });
c.close();
return { last: last.publications.map((p) => [p.offset, p.data, p.from, p.channel]), range: range.publications.map((p) => [p.offset, p.data]),
  offset: last.position.offset, oldest: last.oldest, resumed, recovery: [sub.recovery, stale.recovery] };`, "{{A}}", env.token(t, "alice", hour)), &got)
		assertJSON(t, "resumed from offset 2", got.Resumed, []int{3, 4, 5})
		assertJSON(t, "recovery", got.Recovery, []any{map[string]any{"recovered": true, "missed": 3}, map[string]any{"recovered": false, "missed": 0}})
		assertJSON(t, "last 2", got.Last, [][]any{{4, "m4", "alice", "log"}, {5, "m5", "alice", "log"}})
		assertJSON(t, "offsets (1, 3]", got.Range, [][]any{{2, "m2"}, {3, "m3"}})
		if got.Offset != 5 || got.Oldest != 1 {
			t.Errorf("history position %d oldest %d, want 5 and 1", got.Offset, got.Oldest)
		}
	})

	t.Run("recovery after the socket drops, without loss or duplicates", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Got       []int
			Recovery  map[string]any
			SubRec    map[string]any
			Events    []string
			Sockets   int
			BackoffOK bool
		}
		runJS(t, env.page(t), script(`
const g = T.gated();
const events = [], delays = [];
const a = await sb.connect(T.url, {{A}}, { WebSocket: g.WebSocket, minBackoff: 50, maxBackoff: 200,
  on: { connect: () => events.push('connect'), disconnect: () => events.push('disconnect'),
        reconnecting: (e) => { events.push('reconnecting'); delays.push([e.attempt, e.delay]); } } });
const b = await sb.connect(T.url, {{B}});
const got = [];
let recovery = null;
const sub = await a.subscribe('feed', { onMessage: (m) => got.push(m.offset), onResubscribe: (r) => { recovery = r; } });
for (let i = 1; i <= 10; i++) await b.publish('feed', i);
await T.waitFor('first 10', () => got.length === 10);
g.closed = true;                    // reconnect attempts fail until the gate opens
g.sockets.at(-1).close();           // cut the SDK's connection
await T.waitFor('disconnect', () => !a.connected);
for (let i = 11; i <= 30; i++) await b.publish('feed', i);
await T.sleep(400);
g.closed = false;
await T.waitFor('all 30', () => got.length >= 30 && recovery !== null, 10000)
  .catch((e) => { throw new Error(e.message + ' ' + JSON.stringify({ got, recovery, events })); });
await T.sleep(300);                 // late duplicates would show up here
a.close(); b.close();
// Full jitter: attempt n waits a random time up to min(max, min * 2^(n-1)).
const backoffOK = delays.every(([n, d], i) => n === i + 1 && d >= 0 && d <= Math.min(200, 50 * 2 ** (n - 1)));
return { got, recovery, subRec: sub.recovery, events: [...new Set(events)], sockets: g.sockets.length, backoffOK };`,
			"{{A}}", env.token(t, "alice", hour), "{{B}}", env.token(t, "bob", hour)), &got)
		want := make([]int, 30)
		for i := range want {
			want[i] = i + 1
		}
		assertJSON(t, "offsets seen by onMessage", got.Got, want)
		assertJSON(t, "onResubscribe", got.Recovery, map[string]any{"channel": "feed", "recovered": true, "missed": 20})
		assertJSON(t, "sub.recovery", got.SubRec, map[string]any{"recovered": true, "missed": 20})
		assertJSON(t, "events", got.Events, []string{"connect", "disconnect", "reconnecting"})
		if !got.BackoffOK {
			t.Error("reconnect delays are not within the exponential backoff bounds")
		}
		if got.Sockets < 3 {
			t.Errorf("%d sockets opened, want at least 3 (first, failed attempts, reconnect)", got.Sockets)
		}
	})

	t.Run("acknowledged delivery redelivers what the handler failed", func(t *testing.T) {
		t.Parallel()
		before := env.m.Engine.Stats().Redeliveries
		var got struct {
			Attempts []int
			Errors   []string
			WaitedMS int
		}
		runJS(t, env.page(t), script(`
const errors = [];
const a = await sb.connect(T.url, {{A}}, { on: { error: (e) => errors.push(e.message) } });
const b = await sb.connect(T.url, {{B}});
const attempts = [];
let failed = false;
await a.subscribe('jobs', { ack: true, onMessage: (m) => {
  attempts.push(m.offset);
  if (m.offset === 2 && !failed) { failed = true; throw new Error('job 2 failed'); }
} });
for (let i = 1; i <= 3; i++) await b.publish('jobs', i);
const start = Date.now();
await T.waitFor('redelivery', () => attempts.length >= 4, 15000);
const waitedMS = Date.now() - start;
await T.sleep(6000);                // past the ack timeout: nothing more may come
a.close(); b.close();
return { attempts, errors, waitedMS };`, "{{A}}", env.token(t, "alice", hour), "{{B}}", env.token(t, "bob", hour)), &got)
		assertJSON(t, "handler calls (offsets)", got.Attempts, []int{1, 2, 2, 3})
		assertJSON(t, "errors", got.Errors, []string{"job 2 failed"})
		if got.WaitedMS < 3000 {
			t.Errorf("redelivery came after %d ms, want about the 5 s ack timeout", got.WaitedMS)
		}
		// 2 and 3 were resent once; had the SDK not acknowledged them after
		// the retry, the server would have resent them again.
		if n := env.m.Engine.Stats().Redeliveries - before; n != 2 {
			t.Errorf("server redelivered %d publications, want 2", n)
		}
	})

	t.Run("token renewal without reconnecting", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Renewed struct {
				Events   []string
				SameConn bool
				Offset   int
				Hours    float64
			}
			Unrenewed struct {
				Events    []string
				CloseCode int
				CloseName string
				DiscCode  int
			}
			WrongUser []int
		}
		runJS(t, env.page(t), script(`
// Renewed: getToken is called on the server's "expiring" push.
const r = { events: [] };
const renewed = await sb.connect(T.url, {{SHORT1}}, { getToken: async () => {{FRESH}},
  on: { expiring: () => r.events.push('expiring'), refresh: () => r.events.push('refresh'),
        disconnect: () => r.events.push('disconnect'), connect: () => r.events.push('connect') } });
const clientId = renewed.info.clientId;
// Unrenewed: no getToken, so the server closes at exp and the client stops.
const u = { events: [] };
const unrenewed = await sb.connect(T.url, {{SHORT2}}, {
  on: { expiring: () => u.events.push('expiring'), disconnect: (e) => { u.events.push('disconnect'); u.discCode = e.code; },
        close: (e) => { u.events.push('close'); u.close = e; } } });
// Wrong user: the renewed token is for someone else and is refused.
const wrong = [];
const w = await sb.connect(T.url, {{SHORT3}}, { getToken: async () => {{OTHER}}, on: { error: (e) => wrong.push(e.code) } });
await T.waitFor('expiry passes', () => u.close !== undefined && wrong.length > 0, 10000);
await T.sleep(1500);
const pub = await renewed.publish('after-renewal', 'still here');
r.sameConn = renewed.connected && renewed.info.clientId === clientId;
r.hours = (renewed.info.expiresAt - Date.now()) / 3600000;
r.offset = pub.offset;
renewed.close(); w.close();
return { renewed: r, unrenewed: { events: u.events, closeCode: u.close.code, closeName: u.close.codeName, discCode: u.discCode }, wrongUser: wrong };`,
			"{{SHORT1}}", env.token(t, "renew1", 4*time.Second), "{{FRESH}}", env.token(t, "renew1", hour),
			"{{SHORT2}}", env.token(t, "renew2", 4*time.Second),
			"{{SHORT3}}", env.token(t, "renew3", 4*time.Second), "{{OTHER}}", env.token(t, "someone-else", hour)), &got)
		assertJSON(t, "renewed events", got.Renewed.Events, []string{"connect", "expiring", "refresh"})
		if !got.Renewed.SameConn || got.Renewed.Offset != 1 || got.Renewed.Hours < 0.9 {
			t.Errorf("renewed client: %+v, want the same connection, publishing, token valid for about an hour", got.Renewed)
		}
		assertJSON(t, "unrenewed events", got.Unrenewed.Events, []string{"expiring", "disconnect", "close"})
		if got.Unrenewed.DiscCode != 4005 || got.Unrenewed.CloseCode != 111 || got.Unrenewed.CloseName != "token_expired" {
			t.Errorf("unrenewed client: disconnect code %d, close %d %s; want 4005, then 111 token_expired",
				got.Unrenewed.DiscCode, got.Unrenewed.CloseCode, got.Unrenewed.CloseName)
		}
		if len(got.WrongUser) == 0 || got.WrongUser[0] != 115 {
			t.Errorf("refresh with another user's token: errors %v, want 115 wrong_user", got.WrongUser)
		}
	})

	t.Run("a token that expired while disconnected is renewed before reconnecting", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Events []string
			Got    []int
			Calls  int
		}
		runJS(t, env.page(t), script(`
const g = T.gated();
const events = [], got = [];
let calls = 0;
const a = await sb.connect(T.url, {{SHORT}}, { WebSocket: g.WebSocket, minBackoff: 50, maxBackoff: 200,
  getToken: async () => { calls++; return {{FRESH}}; },
  on: { connect: () => events.push('connect'), disconnect: () => events.push('disconnect') } });
await a.subscribe('renewed', { onMessage: (m) => got.push(m.offset) });
g.closed = true;
g.sockets.at(-1).close();
const b = await sb.connect(T.url, {{B}});
await b.publish('renewed', 1);
await T.sleep(Math.max(0, a.info.expiresAt - Date.now()) + 1000); // the first token is now expired
g.closed = false;
await T.waitFor('reconnect and recovery', () => got.length === 1 && a.connected, 10000);
a.close(); b.close();
return { events, got, calls };`, "{{SHORT}}", env.token(t, "late", 3*time.Second), "{{FRESH}}", env.token(t, "late", hour),
			"{{B}}", env.token(t, "bob", hour)), &got)
		assertJSON(t, "events", got.Events, []string{"connect", "disconnect", "connect"})
		assertJSON(t, "recovered offsets", got.Got, []int{1})
		if got.Calls != 1 {
			t.Errorf("getToken called %d times, want 1", got.Calls)
		}
	})

	t.Run("errors are typed with the documented codes", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		other, err := env.m.Engine.CreateApp(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		limited, err := env.m.Engine.CreateApp(ctx, "limited", engine.WithAppLimits(engine.AppLimits{MaxConns: 1, PublishRate: 0.1, PublishBurst: 2}))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		expired := env.tokenWith(t, env.app, engine.Claims{Subject: "alice", IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, 0)
		forged := env.tokenWith(t, engine.App{ID: env.app.ID, Certificate: other.Certificate}, engine.Claims{Subject: "alice"}, time.Hour)
		noApp := env.tokenWith(t, engine.App{ID: "no-such-app", Certificate: "whatever"}, engine.Claims{Subject: "alice"}, time.Hour)
		perms := env.tokenWith(t, env.app, engine.Claims{Subject: "alice", Subscribe: []string{"room.*"}, Publish: []string{}}, time.Hour)
		var got map[string]any
		runJS(t, env.page(t), script(`
const r = {};
r.malformed = await T.fail(sb.connect(T.url, 'not-a-jwt'));
r.expired = await T.fail(sb.connect(T.url, {{EXPIRED}}));
r.forged = await T.fail(sb.connect(T.url, {{FORGED}}));
r.appNotFound = await T.fail(sb.connect(T.url, {{NOAPP}}));
r.wrongApp = await T.fail(sb.connect(T.url, {{TOK}}, { app: {{OTHER}} }));

const c = await sb.connect(T.url, {{TOK}});
r.channelChars = await T.fail(c.subscribe('bad channel!'));
r.channelLength = await T.fail(c.publish('x'.repeat(65), 1));
await c.subscribe('errs');
r.alreadySubscribed = await T.fail(c.subscribe('errs'));
r.notSubscribed = await T.fail(c.setState('elsewhere', { a: 'b' }));
r.stateKeys = await T.fail(c.setState('errs', Object.fromEntries(Array.from({ length: 17 }, (_, i) => ['k' + i, 'v']))));
r.stateValue = await T.fail(c.setState('errs', { n: 1 }));
r.tooLarge = await T.fail(c.publish('big', 'x'.repeat(40000)));
r.tooLargeForFrame = await T.fail(c.publish('big', 'x'.repeat(100000)));
r.peerUserInvalid = await T.fail(c.sendPeer('', 'hi'));
r.whereNowUserInvalid = await T.fail(c.whereNow('u'.repeat(129)));
for (let i = 1; i < 128; i++) await c.subscribe('many' + i);
r.tooManySubscriptions = await T.fail(c.subscribe('one-too-many'));
r.stillConnected = c.connected && (await c.publish('errs', 'fine')).offset === 1;
c.close();
r.afterClose = await T.fail(c.publish('errs', 1));

const p = await sb.connect(T.url, {{PERMS}});
r.subscribeDenied = await T.fail(p.subscribe('news'));
r.publishDenied = await T.fail(p.publish('room.1', 1));
r.historyDenied = await T.fail(p.history('news'));
r.allowedPattern = (await p.subscribe('room.1')).channel;
p.close();

const l = await sb.connect(T.url, {{LIM1}});
r.rate = [];
for (let i = 0; i < 3; i++) r.rate.push(await l.publish('x', i).then(() => 'ok', (e) => e.code));
r.tooManyConnections = await T.fail(sb.connect(T.url, {{LIM2}}));
l.close();
return r;`, "{{EXPIRED}}", expired, "{{FORGED}}", forged, "{{NOAPP}}", noApp, "{{PERMS}}", perms,
			"{{TOK}}", env.token(t, "alice", hour), "{{OTHER}}", jsString(other.ID),
			"{{LIM1}}", env.tokenWith(t, limited, engine.Claims{Subject: "l1"}, hour),
			"{{LIM2}}", env.tokenWith(t, limited, engine.Claims{Subject: "l2"}, hour)), &got)
		e := func(code int, name string) map[string]any {
			return map[string]any{"code": code, "codeName": name, "typed": true}
		}
		for name, want := range map[string]any{
			"malformed":            e(110, "token_malformed"),
			"expired":              e(111, "token_expired"),
			"forged":               e(112, "token_signature"),
			"appNotFound":          e(113, "app_not_found"),
			"wrongApp":             e(114, "wrong_app"),
			"channelChars":         e(120, "channel_invalid"),
			"channelLength":        e(120, "channel_invalid"),
			"alreadySubscribed":    e(122, "already_subscribed"),
			"notSubscribed":        e(123, "not_subscribed"),
			"stateKeys":            e(141, "state_invalid"),
			"stateValue":           e(141, "state_invalid"),
			"tooLarge":             e(130, "message_too_large"),
			"tooLargeForFrame":     e(130, "message_too_large"),
			"peerUserInvalid":      e(140, "user_invalid"),
			"whereNowUserInvalid":  e(140, "user_invalid"),
			"tooManySubscriptions": e(132, "too_many_subscriptions"),
			"stillConnected":       true,
			"afterClose":           e(0, "closed"),
			"subscribeDenied":      e(121, "permission_denied"),
			"publishDenied":        e(121, "permission_denied"),
			"historyDenied":        e(121, "permission_denied"),
			"allowedPattern":       "room.1",
			"rate":                 []any{"ok", "ok", 131},
			"tooManyConnections":   e(133, "too_many_connections"),
		} {
			assertJSON(t, name, got[name], want)
		}
	})

	t.Run("a deleted app closes its clients for good", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		doomed, err := env.m.Engine.CreateApp(ctx, "doomed")
		if err != nil {
			t.Fatal(err)
		}
		page := env.page(t)
		runJS(t, page, script(`
window.doomed = { events: [] };
const ev = (name) => (e) => doomed.events.push(e && e.code !== undefined ? name + ' ' + e.code : name);
doomed.client = await sb.connect(T.url, {{TOK}}, { minBackoff: 10, maxBackoff: 20,
  on: { disconnect: ev('disconnect'), reconnecting: ev('reconnecting'), close: ev('close') } });
return true;`, "{{TOK}}", env.tokenWith(t, doomed, engine.Claims{Subject: "alice"}, hour)), nil)
		if err := env.m.Engine.DeleteApp(ctx, doomed.ID); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Events    []string
			Connected bool
			Publish   map[string]any
		}
		runJS(t, page, `
await T.waitFor('close', () => doomed.events.some((e) => e.startsWith('close')));
await T.sleep(200);
return { events: doomed.events, connected: doomed.client.connected, publish: await T.fail(doomed.client.publish('x', 1)) };`, &got)
		assertJSON(t, "events", got.Events, []string{"disconnect 4004", "close 4004"})
		if got.Connected || got.Publish["code"] != float64(4004) {
			t.Errorf("after app deletion: connected %v, publish error %v; want closed with 4004", got.Connected, got.Publish)
		}
	})

	t.Run("the quick-start example runs against the live engine", func(t *testing.T) {
		t.Parallel()
		src, err := os.ReadFile("engine/jssdk/examples/quickstart.js")
		if err != nil {
			t.Fatal(err)
		}
		app, err := env.m.Engine.CreateApp(context.Background(), "quickstart")
		if err != nil {
			t.Fatal(err)
		}
		page := env.page(t)
		serveInPage(t, page, env.base+"/examples/*", src)
		var line string
		runJS(t, page, script(`
const { quickstart } = await import('/examples/quickstart.js');
return await quickstart(T.url, {{TOK}});`, "{{TOK}}", env.tokenWith(t, app, engine.Claims{Subject: "alice"}, hour)), &line)
		if want := `news #1 from alice: {"text":"hello"}`; line != want {
			t.Errorf("quickstart returned %q, want %q", line, want)
		}
	})
}

// TestJSSDKServerRestart restarts the server under connected clients: they
// are told to reconnect, do so once the server is back, and recover what was
// published meanwhile from history kept in SQLite.
func TestJSSDKServerRestart(t *testing.T) {
	env := newJSEnv(t)
	page := env.page(t)
	runJS(t, page, script(`
const g = T.gated();
window.R = { got: [], events: [], g, recovery: null };
R.client = await sb.connect(T.url, {{A}}, { WebSocket: g.WebSocket, minBackoff: 50, maxBackoff: 200,
  on: { disconnect: (e) => R.events.push('disconnect ' + e.code) } });
await R.client.subscribe('durable', { onMessage: (m) => R.got.push([m.offset, m.from]), onResubscribe: (r) => { R.recovery = r; } });
for (let i = 1; i <= 3; i++) await R.client.publish('durable', i);
await T.waitFor('3 messages', () => R.got.length === 3);
g.closed = true; // no reconnect until the test has published while the client is away
return true;`, "{{A}}", env.token(t, "alice", time.Hour)), nil)

	ctx := context.Background()
	addr := strings.TrimPrefix(env.m.URL(), "http://")
	if err := env.m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	env.m = startMain(t, addr, env.m.Config.DataDir)
	for i := 4; i <= 5; i++ {
		if _, err := env.m.Engine.Publish(ctx, env.app.ID, "durable", json.RawMessage(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var got struct {
		Got      [][]any
		Recovery map[string]any
		Events   []string
	}
	runJS(t, page, `
R.g.closed = false;
await T.waitFor('5 messages', () => R.got.length >= 5 && R.recovery !== null, 10000);
await T.sleep(200);
R.client.close();
return { got: R.got, recovery: R.recovery, events: R.events };`, &got)
	assertJSON(t, "messages", got.Got, [][]any{{1, "alice"}, {2, "alice"}, {3, "alice"}, {4, ""}, {5, ""}})
	assertJSON(t, "recovery", got.Recovery, map[string]any{"channel": "durable", "recovered": true, "missed": 2})
	assertJSON(t, "events", got.Events, []string{"disconnect 4006"})
}
