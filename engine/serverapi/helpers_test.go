package serverapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/enginetest"
	"github.com/switchboard-rtm/switchboard/engine/serverapi"
)

// env is a real engine on a real SQLite file, with its WebSocket endpoint
// and the server API on one loopback HTTP server, as the portal mounts them.
type env struct {
	t     testing.TB
	e     *engine.Engine
	url   string
	app   engine.App
	clock *enginetest.Clock // the server API's clock (idempotency windows)
}

type envOpts struct {
	limits engine.Limits
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	e, err := engine.New(ctx, engine.Config{DB: dbtest.Open(t), Limits: o.limits})
	if err != nil {
		t.Fatal(err)
	}
	app, err := e.CreateApp(ctx, "backend")
	if err != nil {
		t.Fatal(err)
	}
	v := &env{t: t, e: e, app: app, clock: enginetest.NewClock()}
	api, err := serverapi.New(serverapi.Config{Engine: e, Now: v.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/ws", e.Handler())
	mux.Handle("/v1/api/", api.Handler())
	srv := httptest.NewServer(mux)
	v.url = srv.URL
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(sctx)
		srv.Close()
	})
	return v
}

// resp is an HTTP answer with its JSON body.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// errCode returns the body's error.code, 0 if it has none.
func (r resp) errCode() int {
	var b struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(r.body, &b) != nil || b.Error == nil || b.Error.Message == "" {
		return 0
	}
	return b.Error.Code
}

// call sends a request with the app's API key.
func (v *env) call(method, path, body string) resp {
	v.t.Helper()
	return v.callKey(v.app.APIKey, method, path, body)
}

func (v *env) callKey(key, method, path, body string) resp {
	v.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, v.url+path, rd)
	if err != nil {
		v.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

// wantError checks an error answer's status and code.
func wantError(t testing.TB, what string, r resp, status, code int) {
	t.Helper()
	if r.status != status || r.errCode() != code {
		t.Fatalf("%s: got %d %s, want %d with error code %d", what, r.status, r.body, status, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q, want application/json", what, ct)
	}
}

// ws is a raw protocol client on a real WebSocket.
type ws struct {
	t      testing.TB
	c      *websocket.Conn
	frames chan map[string]json.RawMessage
	closed chan struct{}
	err    error
	id     int
	client string // client ID from the connect reply
}

func (v *env) connect(user string) *ws {
	v.t.Helper()
	tok, err := engine.MintToken(v.app.ID, v.app.Certificate, engine.Claims{Subject: user}, time.Hour)
	if err != nil {
		v.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(v.url, "http")+"/v1/ws", nil)
	if err != nil {
		v.t.Fatal(err)
	}
	w := &ws{t: v.t, c: c, frames: make(chan map[string]json.RawMessage, 100), closed: make(chan struct{})}
	v.t.Cleanup(func() { c.CloseNow() })
	go func() {
		defer close(w.closed)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				w.err = err
				return
			}
			var f map[string]json.RawMessage
			json.Unmarshal(b, &f)
			if string(f["type"]) == `"ping"` {
				continue
			}
			w.frames <- f
		}
	}()
	r := w.call("connect", map[string]any{"token": tok})
	var res struct{ Client string }
	json.Unmarshal(r["result"], &res)
	if res.Client == "" {
		v.t.Fatalf("connect %s: %v", user, r)
	}
	w.client = res.Client
	return w
}

func (w *ws) call(op string, fields map[string]any) map[string]json.RawMessage {
	w.t.Helper()
	w.id++
	m := map[string]any{"id": w.id, "op": op}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	if err := w.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
	want := []byte(strings.TrimSpace(string(mustJSON(w.id))))
	for {
		f := w.next()
		if string(f["id"]) == string(want) {
			return f
		}
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func (w *ws) next() map[string]json.RawMessage {
	w.t.Helper()
	select {
	case f := <-w.frames:
		return f
	case <-time.After(5 * time.Second):
		w.t.Fatal("timeout waiting for a frame")
		return nil
	}
}

// push waits for the next push of type typ, skipping others.
func (w *ws) push(typ string) map[string]json.RawMessage {
	w.t.Helper()
	for {
		f := w.next()
		if string(f["type"]) == `"`+typ+`"` {
			return f
		}
	}
}

// noPush checks that no push of type typ arrives within d.
func (w *ws) noPush(typ string, d time.Duration) {
	w.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-w.frames:
			if string(f["type"]) == `"`+typ+`"` {
				w.t.Fatalf("unexpected %s push: %v", typ, f)
			}
		case <-deadline:
			return
		}
	}
}

func (w *ws) closeCode() websocket.StatusCode {
	w.t.Helper()
	select {
	case <-w.closed:
		return websocket.CloseStatus(w.err)
	case <-time.After(5 * time.Second):
		w.t.Fatal("timeout waiting for the close")
		return 0
	}
}
