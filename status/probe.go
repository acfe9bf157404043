package status

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// Outcome is a component's result in one probe.
type Outcome string

// Outcomes.
const (
	OK      Outcome = "ok"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped" // not probed (HTTP without Config.HTTPURL)
)

// ProbeChannel is the channel the probe publishes to in the probe app.
const ProbeChannel = "status.probe"

// Probe users in the probe app: the subscriber and peer sender, and the
// publisher and peer recipient.
const (
	probeUserA = "status-probe-a"
	probeUserB = "status-probe-b"
	probeUserC = "status-probe-c" // the cross-node publisher (NodeProbe.Cross)
)

// A node that does not know the probe app yet is asked again every
// appWaitStep, appWaitTries times (the registry's "within a second").
const (
	appWaitStep  = 100 * time.Millisecond
	appWaitTries = 12
)

// maxErrorText bounds the stored error text of one probe.
const maxErrorText = 1000

// Probe is the stored result of one probe run.
type Probe struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"` // start of the run (Config.Now)

	Connect   Outcome `json:"engine_connect"`
	Messaging Outcome `json:"messaging"`
	Peer      Outcome `json:"peer_messages"`
	HTTP      Outcome `json:"docs_forum_http"`

	// ConnectTime is the first client's Dial: WebSocket handshake plus
	// the connect op (token check) until its reply.
	ConnectTime time.Duration `json:"connect_time_ns"`
	// HTTPTime is the GET of Config.HTTPURL until the body was read.
	HTTPTime time.Duration `json:"http_time_ns"`
	// Sent is how many publishes were attempted, Expected how many the
	// engine accepted (each must reach the one subscriber), Delivered how
	// many of those arrived within ReceiveTimeout.
	Sent      int `json:"sent"`
	Expected  int `json:"expected"`
	Delivered int `json:"delivered"`
	// Latencies are publish→receipt times of the delivered messages, from
	// just before the publish request to the subscriber's handler.
	Latencies []time.Duration `json:"latencies_ns"`
	// Error describes every failed component; empty when all were ok.
	Error string `json:"error,omitempty"`

	// Nodes are the per-node probes of this run (Config.NodeURLs), set by
	// ProbeOnce only; RecentNodeProbes reads the stored ones.
	Nodes []NodeProbe `json:"nodes,omitempty"`
}

// componentOutcome returns p's outcome for any component, derived ones
// included. Skipped components do not count against the derived ones.
func (p *Probe) componentOutcome(c Component) Outcome {
	switch c {
	case ComponentConnect:
		return p.Connect
	case ComponentMessaging:
		return p.Messaging
	case ComponentPeer:
		return p.Peer
	case ComponentHTTP:
		return p.HTTP
	case ComponentEngine:
		return worst(p.Connect, p.Messaging, p.Peer)
	case ComponentOverall:
		return worst(p.Connect, p.Messaging, p.Peer, p.HTTP)
	}
	return Skipped
}

func worst(os ...Outcome) Outcome {
	out := Skipped
	for _, o := range os {
		switch o {
		case Failed:
			return Failed
		case OK:
			out = OK
		}
	}
	return out
}

// ProbeOnce runs one probe against the engine's public endpoint (and the
// HTTP URL), stores the result and returns it. Failures of the probed
// service are recorded in the Probe, not returned; the error is only for
// a missing configuration or a failure to store the result.
func (m *Monitor) ProbeOnce(ctx context.Context) (Probe, error) {
	if m.cfg.Apps == nil || m.cfg.EngineURL == "" {
		return Probe{}, fmt.Errorf("probe: Config.Apps and Config.EngineURL are required: %w", ErrInvalid)
	}
	m.probeMu.Lock()
	defer m.probeMu.Unlock()
	p := Probe{At: m.now().UTC(), HTTP: Skipped}
	var errs []string
	fail := func(what string, err error) { errs = append(errs, what+": "+err.Error()) }

	pctx, cancel := context.WithTimeout(ctx, m.cfg.ProbeTimeout)
	m.probeEngine(pctx, m.cfg.EngineURL, probeUserA, probeUserB, &p, fail, nil)
	cancel()

	if m.cfg.HTTPURL != "" {
		hctx, cancel := context.WithTimeout(ctx, m.cfg.ProbeTimeout)
		start := time.Now()
		err := m.probeHTTP(hctx)
		p.HTTPTime = time.Since(start)
		cancel()
		p.HTTP = OK
		if err != nil {
			p.HTTP = Failed
			fail("http", err)
		}
	}
	p.Error = strings.Join(errs, "; ")
	if len(p.Error) > maxErrorText {
		p.Error = strings.ToValidUTF8(p.Error[:maxErrorText], "")
	}
	if err := ctx.Err(); err != nil {
		// Cancelled by the caller (shutdown): not a measurement of the service.
		return p, fmt.Errorf("probe: %w", err)
	}
	if err := m.insertProbe(ctx, &p); err != nil {
		return p, err
	}
	if p.Error != "" {
		m.log.WarnContext(ctx, "status probe failed", "error", p.Error)
	}
	if len(m.cfg.NodeURLs) > 0 {
		var err error
		if p.Nodes, err = m.probeNodes(ctx, p.At); err != nil {
			return p, err
		}
	}
	return p, nil
}

// probeEngine runs the connect, messaging and peer checks against the
// engine at url, as users userA (subscriber, peer sender) and userB
// (publisher, peer recipient). A failed connect fails messaging and peer
// messages too: no client could use them.
//
// After a successful messaging check, extra (if not nil) runs while the
// first user is still subscribed, with r its receiver.
func (m *Monitor) probeEngine(ctx context.Context, url, userA, userB string, p *Probe, fail func(string, error),
	extra func(ctx context.Context, app engine.App, r *receiver)) {
	p.Connect, p.Messaging, p.Peer = Failed, Failed, Failed
	app, err := m.EnsureProbeApp(ctx)
	if err != nil {
		fail("connect", err)
		return
	}
	nonce := randomNonce()
	peerGot := make(chan struct{}, 1)

	start := time.Now()
	a, err := m.dial(ctx, url, app, userA)
	if errors.Is(err, client.ErrAppNotFound) {
		// Someone deleted the probe app: make a new one rather than report
		// the engine down.
		m.forgetProbeApp()
		prev := app.ID
		if app, err = m.EnsureProbeApp(ctx); err != nil {
			fail("connect", err)
			return
		}
		start = time.Now()
		a, err = m.dial(ctx, url, app, userA)
		// The same app, unknown to another node of a cluster: just made,
		// the shared registry carries it there within a second.
		for i := 0; i < appWaitTries && app.ID == prev && errors.Is(err, client.ErrAppNotFound); i++ {
			select {
			case <-ctx.Done():
			case <-time.After(appWaitStep):
			}
			start = time.Now()
			a, err = m.dial(ctx, url, app, userA)
		}
	}
	p.ConnectTime = time.Since(start)
	if err != nil {
		fail("connect", err)
		return
	}
	defer a.Close()
	b, err := m.dial(ctx, url, app, userB, client.WithPeerHandler(func(pm client.PeerMessage) {
		var d struct {
			N string `json:"n"`
		}
		if json.Unmarshal(pm.Data, &d) == nil && d.N == nonce && pm.From == userA {
			select {
			case peerGot <- struct{}{}:
			default:
			}
		}
	}))
	if err != nil {
		fail("connect", err)
		return
	}
	defer b.Close()
	p.Connect = OK

	r := &receiver{nonce: nonce, got: make(map[int]time.Time), notify: make(chan struct{}, 1)}
	if err := m.probeMessaging(ctx, a, b, r, p); err != nil {
		fail("messaging", err)
	} else {
		p.Messaging = OK
	}
	if err := m.probePeer(ctx, a, userB, nonce, peerGot); err != nil {
		fail("peer", err)
	} else {
		p.Peer = OK
	}
	if extra != nil && p.Messaging == OK {
		extra(ctx, app, r)
	}
}

func (m *Monitor) dial(ctx context.Context, url string, app engine.App, user string, opts ...client.Option) (*client.Client, error) {
	tok, err := engine.MintToken(app.ID, app.Certificate, engine.Claims{
		Subject: user, Subscribe: []string{ProbeChannel}, Publish: []string{ProbeChannel},
	}, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	return client.Dial(ctx, url, tok, opts...)
}

// receiver collects the probe's messages on the subscriber side.
type receiver struct {
	nonce  string
	mu     sync.Mutex
	got    map[int]time.Time
	notify chan struct{}
}

func (r *receiver) handle(msg client.Message) {
	at := time.Now()
	var d struct {
		N string `json:"n"`
		I int    `json:"i"`
	}
	if json.Unmarshal(msg.Data, &d) != nil || d.N != r.nonce {
		return
	}
	r.mu.Lock()
	if _, dup := r.got[d.I]; !dup {
		r.got[d.I] = at
	}
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// probeMessaging: a subscribes, b publishes Messages messages, a must get
// every accepted one within ReceiveTimeout of its publish.
func (m *Monitor) probeMessaging(ctx context.Context, a, b *client.Client, r *receiver, p *Probe) error {
	// The subscription ends when the probe closes the client.
	if _, err := a.Subscribe(ctx, ProbeChannel, r.handle); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	var pubErr error
	sentAt := m.publishProbe(ctx, b, r.nonce, 0, &p.Sent, &pubErr)
	p.Expected = len(sentAt)
	p.Delivered, p.Latencies = m.collect(ctx, r, sentAt)
	if pubErr != nil {
		return pubErr
	}
	if p.Delivered < p.Expected {
		return fmt.Errorf("%d of %d messages not delivered within %v", p.Expected-p.Delivered, p.Expected, m.cfg.ReceiveTimeout)
	}
	return nil
}

// publishProbe publishes Config.Messages probe messages numbered from
// first and returns when each accepted one was sent; sent counts the
// attempts and pubErr collects the failures.
func (m *Monitor) publishProbe(ctx context.Context, b *client.Client, nonce string, first int, sent *int, pubErr *error) map[int]time.Time {
	sentAt := make(map[int]time.Time, m.cfg.Messages)
	for i := first; i < first+m.cfg.Messages; i++ {
		*sent++
		t := time.Now()
		if _, err := b.Publish(ctx, ProbeChannel, map[string]any{"n": nonce, "i": i}); err != nil {
			*pubErr = errors.Join(*pubErr, fmt.Errorf("publish %d: %w", i, err))
			continue
		}
		sentAt[i] = t
	}
	return sentAt
}

// collect waits until r has every message of sentAt, or ReceiveTimeout,
// and returns how many arrived within ReceiveTimeout of their publish and
// their latencies.
func (m *Monitor) collect(ctx context.Context, r *receiver, sentAt map[int]time.Time) (int, []time.Duration) {
	deadline := time.NewTimer(m.cfg.ReceiveTimeout)
	defer deadline.Stop()
	for waiting := true; waiting; {
		r.mu.Lock()
		n := 0
		for i := range sentAt {
			if _, ok := r.got[i]; ok {
				n++
			}
		}
		r.mu.Unlock()
		if n == len(sentAt) {
			break
		}
		select {
		case <-r.notify:
		case <-deadline.C:
			waiting = false
		case <-ctx.Done():
			waiting = false
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var delivered int
	var lat []time.Duration
	for i, t := range sentAt {
		if at, ok := r.got[i]; ok && at.Sub(t) <= m.cfg.ReceiveTimeout {
			delivered++
			lat = append(lat, at.Sub(t))
		}
	}
	return delivered, lat
}

// probePeer: a sends a peer message to userB, which is online, so the
// receipt must be "delivered" and userB must get it within ReceiveTimeout.
func (m *Monitor) probePeer(ctx context.Context, a *client.Client, userB, nonce string, got <-chan struct{}) error {
	rc, err := a.SendPeer(ctx, userB, map[string]any{"n": nonce}, client.WithoutStore())
	if err != nil {
		return err
	}
	if rc.Status != client.Delivered {
		return fmt.Errorf("receipt %q (%s), want delivered", rc.Status, rc.Reason)
	}
	t := time.NewTimer(m.cfg.ReceiveTimeout)
	defer t.Stop()
	select {
	case <-got:
		return nil
	case <-t.C:
		return fmt.Errorf("peer message not received within %v", m.cfg.ReceiveTimeout)
	case <-ctx.Done():
		return fmt.Errorf("peer message not received: %w", ctx.Err())
	}
}

func (m *Monitor) probeHTTP(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.cfg.HTTPURL, nil)
	if err != nil {
		return err
	}
	res, err := m.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("GET %s: HTTP %d", m.cfg.HTTPURL, res.StatusCode)
	}
	return nil
}

func randomNonce() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
