package engine

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A publication is encoded once: every subscriber's queue holds the same
// bytes, and so does history (used for recovery).
func TestPublicationEncodedOnce(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t)
	a, err := e.CreateApp(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	ch := ChannelID{a.ID, "c"}
	var conns []*conn
	for range 3 {
		// writing=true keeps frames in the queue, where the test can see them.
		c := &conn{e: e, writing: true}
		c.connected.Store(true)
		e.hub.addSub(&subscription{c: c, ch: ch})
		conns = append(conns, c)
	}
	if _, err := e.Publish(ctx, a.ID, "c", []byte(`{"hello":"world"}`)); err != nil {
		t.Fatal(err)
	}
	h, err := e.broker.History(ctx, ch, HistoryFilter{})
	if err != nil || len(h.Publications) != 1 {
		t.Fatalf("history %+v %v", h, err)
	}
	want := &h.Publications[0].Frame()[0]
	for i, c := range conns {
		if len(c.queue) != 1 || &wsFrame(c.queue[0]).payload()[0] != want {
			t.Fatalf("subscriber %d did not get the shared frame", i)
		}
	}
	if got := string(h.Publications[0].Frame()); got != `{"type":"pub","channel":"c","offset":1,"epoch":"`+h.Position.Epoch+`","data":{"hello":"world"},"from":"","time":`+strconv.FormatInt(h.Publications[0].Time, 10)+`}` {
		t.Fatalf("frame %s", got)
	}
}

// A connect that races with Shutdown (the engine is closing but has not
// closed this socket yet) is refused with 150.
func TestConnectWhileShuttingDown(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t)
	a, _ := e.CreateApp(ctx, "x")
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	tok, _ := MintToken(a.ID, a.Certificate, Claims{Subject: "u"}, time.Hour)
	// Dial returns once the handshake is answered, which can be before the
	// server registers the socket; registering while closing would close it
	// with 4006 instead (a different race, covered by Shutdown's tests).
	for deadline := time.Now().Add(5 * time.Second); e.hub.count() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server never registered the connection")
		}
	}
	e.closing.Store(true) // the moment between Shutdown's start and this socket's close
	ws.Write(ctx, websocket.MessageText, []byte(`{"id":1,"op":"connect","token":"`+tok+`"}`))
	_, b, err := ws.Read(ctx)
	if err != nil || !strings.Contains(string(b), `"code":150`) {
		t.Fatalf("got %s %v, want error 150", b, err)
	}
	e.closing.Store(false)
	ws.CloseNow()
	e.Shutdown(ctx)
}
