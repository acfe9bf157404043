package webhooks_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/webhooks"
)

// received is one request as the receiver saw it.
type received struct {
	ID              string         `json:"id"`
	Type            string         `json:"type"`
	AppID           string         `json:"app_id"`
	Time            int64          `json:"time"`
	Data            map[string]any `json:"data"`
	Delivery, Event string
	Signature       string
	Body            []byte
}

// receiver is a real HTTP server that records every request and answers
// with what answer returns for the n-th request of an event ID (n from 1).
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	all    []received
	tries  map[string]int
	answer func(r received, n int) int
	slow   func(r received, n int) time.Duration
}

func newReceiver(t testing.TB, answer func(r received, n int) int) *receiver {
	rc := &receiver{t: t, tries: map[string]int{}, answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p received
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("body %q is not JSON: %v", body, err)
	}
	p.Delivery, p.Event, p.Signature, p.Body = r.Header.Get(webhooks.HeaderDelivery), r.Header.Get(webhooks.HeaderEvent), r.Header.Get(webhooks.HeaderSignature), body
	rc.mu.Lock()
	rc.tries[p.ID]++
	n := rc.tries[p.ID]
	rc.all = append(rc.all, p)
	answer, slow := rc.answer, rc.slow
	rc.mu.Unlock()
	if slow != nil {
		if d := slow(p, n); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
	}
	code := http.StatusOK
	if answer != nil {
		code = answer(p, n)
	}
	w.WriteHeader(code)
}

// requests returns every request so far.
func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.all...)
}

// accepted returns the requests answered 2xx, assuming answer is deterministic.
func (rc *receiver) accepted() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	seen := map[string]int{}
	var out []received
	for _, r := range rc.all {
		seen[r.ID]++
		code := http.StatusOK
		if rc.answer != nil {
			code = rc.answer(r, seen[r.ID])
		}
		if code/100 == 2 {
			out = append(out, r)
		}
	}
	return out
}

func (rc *receiver) url() string { return rc.srv.URL + "/hook" }

// closedURL returns a loopback URL where nothing listens.
func closedURL(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/gone"
}

func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listenRetry listens on addr, retrying while the old listener lets go.
func listenRetry(addr string) (net.Listener, error) {
	var err error
	for range 100 {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			return l, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}
