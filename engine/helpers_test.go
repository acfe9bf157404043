package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

// The cluster tests' presence heartbeat and node TTL: short enough for a
// dead node's clients to leave within seconds, long enough that a node
// of a loaded CI machine is not taken for dead (500 ms was not: under
// load the watchers' own nodes missed their heartbeat and they "left").
const (
	testHeartbeat = 250 * time.Millisecond
	testNodeTTL   = 2 * time.Second
)

// env is a real engine on a real SQLite file behind a real HTTP server.
type env struct {
	t    testing.TB
	e    *engine.Engine
	srv  *httptest.Server
	url  string
	db   *sql.DB
	path string
	cfg  engine.Config
	addr string // after the first start, restarts listen on the same address
	// nats is the embedded nats-server each start's NATSBroker uses
	// when the tests run on NATS (SWITCHBOARD_TEST_BROKER=nats).
	nats *natsserver.Server
	// registry shares apps through NATS (cluster nodes with a database each).
	registry bool
	// presence is the started engine's cluster presence (with nats), and
	// presenceConn its NATS connection (a test closes both to crash it).
	presence     *engine.NATSPresence
	presenceConn *nats.Conn
	// natsURLs, if set, are the NATS servers (a NATS cluster) instead of
	// nats, with replicas for the streams and buckets.
	natsURLs string
	replicas int
}

// natsURL is the NATS server (or servers) the env's engine uses.
func (v *env) natsURL() string {
	if v.natsURLs != "" {
		return v.natsURLs
	}
	return v.nats.ClientURL()
}

func newEnv(t testing.TB, mod func(*engine.Config)) *env {
	t.Helper()
	v := &env{t: t, path: filepath.Join(t.TempDir(), db.FileName)}
	d, err := db.Open(context.Background(), v.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	v.db = d
	if mod != nil {
		mod(&v.cfg)
	}
	if wantNATS() && v.cfg.Broker == nil {
		v.nats = startNATS(t)
	}
	v.start()
	return v
}

// start (re)starts the engine and HTTP server on the same database.
func (v *env) start() {
	v.t.Helper()
	cfg := v.cfg
	cfg.DB = v.db
	if v.nats != nil || v.natsURLs != "" {
		cfg.Broker = newNATSBrokerReplicas(v.t, v.natsURL(), "test", cfg.Limits, cfg.Now, v.replicas)
		if v.registry {
			reg, err := engine.NewNATSRegistry(context.Background(), dialNATS(v.t, v.natsURL()), max(1, v.replicas))
			if err != nil {
				v.t.Fatal(err)
			}
			cfg.Registry = reg
		}
		if cfg.Presence == nil {
			v.presenceConn = dialNATS(v.t, v.natsURL())
			p, err := engine.NewNATSPresence(context.Background(), engine.NATSPresenceConfig{Conn: v.presenceConn, Node: "test", Replicas: v.replicas,
				Heartbeat: testHeartbeat, NodeTTL: testNodeTTL})
			if err != nil {
				v.t.Fatal(err)
			}
			v.presence, cfg.Presence = p, p
		}
		if cfg.Peers == nil {
			peers, err := engine.NewNATSPeers(context.Background(), engine.NATSPeersConfig{Conn: dialNATS(v.t, v.natsURL()), Replicas: v.replicas,
				TTL: cfg.Limits.OfflineTTL, MaxPerUser: cfg.Limits.MaxOfflinePerUser})
			if err != nil {
				v.t.Fatal(err)
			}
			cfg.Peers = peers
		}
	}
	e, err := engine.New(context.Background(), cfg)
	if err != nil {
		v.t.Fatal(err)
	}
	v.e = e
	v.srv = httptest.NewUnstartedServer(e.Handler())
	if v.addr != "" {
		var l net.Listener
		for i := 0; ; i++ {
			if l, err = net.Listen("tcp", v.addr); err == nil || i == 50 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			v.t.Fatal(err)
		}
		v.srv.Listener.Close()
		v.srv.Listener = l
	}
	v.srv.Start()
	v.addr = v.srv.Listener.Addr().String()
	v.url = "ws" + strings.TrimPrefix(v.srv.URL, "http")
	srv, eng := v.srv, e
	v.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		eng.Shutdown(ctx)
		srv.Close()
	})
}

// stop shuts the engine and its HTTP server down (the database stays open).
func (v *env) stop() {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.e.Shutdown(ctx); err != nil {
		v.t.Fatalf("shutdown: %v", err)
	}
	v.srv.Close()
}

func (v *env) app(name string) engine.App {
	v.t.Helper()
	a, err := v.e.CreateApp(context.Background(), name)
	if err != nil {
		v.t.Fatal(err)
	}
	return a
}

func (v *env) token(a engine.App, user string, mod func(*engine.Claims)) string {
	v.t.Helper()
	c := engine.Claims{Subject: user}
	if mod != nil {
		mod(&c)
	}
	tok, err := engine.MintToken(a.ID, a.Certificate, c, time.Hour)
	if err != nil {
		v.t.Fatal(err)
	}
	return tok
}

// frame is one decoded server frame.
type frame map[string]json.RawMessage

func (f frame) str(k string) string {
	var s string
	json.Unmarshal(f[k], &s)
	return s
}

func (f frame) num(k string) int64 {
	var n int64
	json.Unmarshal(f[k], &n)
	return n
}

func (f frame) sub(k string) frame {
	var m frame
	json.Unmarshal(f[k], &m)
	return m
}

// code returns the error code of a reply or error push (0 if none).
func (f frame) code() int64 { return f.sub("error").num("code") }

// raw is a protocol-level test client.
type raw struct {
	t      testing.TB
	ws     *websocket.Conn
	mu     sync.Mutex
	nextID int64
	waits  map[int64]chan frame
	pushes chan frame
	closed chan struct{}
	err    error
	noPong atomic.Bool // stop answering pings
}

func (v *env) dial() *raw {
	v.t.Helper()
	ws, _, err := websocket.Dial(context.Background(), v.url, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	ws.SetReadLimit(1 << 22)
	r := &raw{t: v.t, ws: ws, waits: map[int64]chan frame{}, pushes: make(chan frame, 100000), closed: make(chan struct{})}
	go r.read()
	v.t.Cleanup(func() { ws.CloseNow() })
	return r
}

// connect dials and connects as user of app.
func (v *env) connect(a engine.App, user string) *raw {
	v.t.Helper()
	r := v.dial()
	rep := r.call("connect", map[string]any{"token": v.token(a, user, nil)})
	if rep.code() != 0 {
		v.t.Fatalf("connect %s: %s", user, rep["error"])
	}
	return r
}

func (r *raw) read() {
	defer close(r.closed)
	for {
		_, b, err := r.ws.Read(context.Background())
		if err != nil {
			r.err = err
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			r.t.Errorf("server sent invalid JSON %q", b)
			continue
		}
		if id := f.num("id"); id != 0 {
			r.mu.Lock()
			ch := r.waits[id]
			delete(r.waits, id)
			r.mu.Unlock()
			if ch != nil {
				ch <- f
				continue
			}
			r.t.Errorf("reply for unknown id %d: %s", id, b)
			continue
		}
		if f.str("type") == "ping" && !r.noPong.Load() {
			r.sendRaw(`{"op":"pong"}`)
		}
		r.pushes <- f
	}
}

func (r *raw) sendRaw(s string) {
	r.ws.Write(context.Background(), websocket.MessageText, []byte(s))
}

// call sends op with fields and waits for the reply.
func (r *raw) call(op string, fields map[string]any) frame {
	r.t.Helper()
	return r.wait(r.start(op, fields))
}

func (r *raw) start(op string, fields map[string]any) chan frame {
	r.t.Helper()
	r.mu.Lock()
	r.nextID++
	id := r.nextID
	ch := make(chan frame, 1)
	r.waits[id] = ch
	r.mu.Unlock()
	m := map[string]any{"id": id, "op": op}
	for k, val := range fields {
		m[k] = val
	}
	b, _ := json.Marshal(m)
	if err := r.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		r.t.Fatalf("write %s: %v", op, err)
	}
	return ch
}

func (r *raw) wait(ch chan frame) frame {
	r.t.Helper()
	select {
	case f := <-ch:
		return f
	case <-r.closed:
		r.t.Fatalf("connection closed while waiting for reply: %v", r.err)
	case <-time.After(5 * time.Second):
		r.t.Fatal("timeout waiting for reply")
	}
	return nil
}

// push returns the next push of type typ, skipping pings.
func (r *raw) push(typ string) frame {
	r.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case f := <-r.pushes:
			if f.str("type") == "ping" && typ != "ping" {
				continue
			}
			if f.str("type") != typ {
				r.t.Fatalf("got push %v, want type %q", f, typ)
			}
			return f
		case <-deadline:
			r.t.Fatalf("timeout waiting for %q push", typ)
			return nil
		}
	}
}

// noPush asserts that no push (other than ping) arrives within d.
func (r *raw) noPush(d time.Duration) {
	r.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-r.pushes:
			if f.str("type") == "ping" {
				continue
			}
			r.t.Fatalf("unexpected push %v", f)
		case <-deadline:
			return
		}
	}
}

// closeCode waits for the server to close the connection and returns the code.
func (r *raw) closeCode() websocket.StatusCode {
	r.t.Helper()
	select {
	case <-r.closed:
		return websocket.CloseStatus(r.err)
	case <-time.After(10 * time.Second):
		r.t.Fatal("timeout waiting for close")
		return 0
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitForWithin(t, 5*time.Second, what, cond)
}

// waitForWithin is waitFor with a deadline of d.
func waitForWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// proxy is a TCP relay between clients and the engine, to cut connections
// the way a network failure does.
type proxy struct {
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
	url   string
}

func (v *env) proxy() *proxy {
	v.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		v.t.Fatal(err)
	}
	p := &proxy{l: l, url: "ws://" + l.Addr().String()}
	addr := v.addr // restarts keep the address
	v.t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

// cut closes every relayed connection abruptly.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
