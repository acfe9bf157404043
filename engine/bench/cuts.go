package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/client"
)

// Cut mode (Config.CutEvery): every CutEvery while publishing, the bench
// closes the TCP connection under a share of the subscribers, as a network
// failure would, and measures how long each takes to get its first message
// again through the SDK's own reconnect (with its back-off) and its
// resubscribe with recovery.

// subState is what the bench knows about one subscriber in cut mode: the TCP
// connection it dialed last (to cut it), the app's view of its stream (to
// count lost and duplicated messages by offset), and the timing of its
// pending recovery.
type subState struct {
	l  *load
	ch int

	mu    sync.Mutex
	conn  net.Conn // nil once cut, until the SDK dials again
	last  uint64   // offset of the last message the handler got
	epoch string
	// The pending cut: when it happened (zero: none), when the SDK began
	// dialing again and when it was connected again (zero: not yet).
	cutAt, dialAt, connectedAt time.Time
}

// httpClient is the subscriber's HTTP client for the WebSocket handshake,
// whose transport remembers the TCP connection it dialed.
func (s *subState) httpClient() *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			start := time.Now()
			s.mu.Lock()
			if !s.cutAt.IsZero() && s.dialAt.IsZero() {
				s.dialAt = start
			}
			s.mu.Unlock()
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			s.mu.Lock()
			s.conn = c
			s.mu.Unlock()
			return c, nil
		},
		DisableKeepAlives: true,
	}}
}

// cut closes the subscriber's connection unless it is already down or still
// recovering from the previous cut; it reports whether it cut.
func (s *subState) cut() bool {
	s.mu.Lock()
	now := time.Now() // of this connection: closing the others takes time too
	c := s.conn
	if c == nil || !s.cutAt.IsZero() {
		s.mu.Unlock()
		return false
	}
	s.conn = nil
	s.cutAt, s.dialAt, s.connectedAt = now, time.Time{}, time.Time{}
	s.mu.Unlock()
	c.Close()
	return true
}

// onConnect runs on the SDK's dispatcher after every (re)connect. The
// dispatcher runs jobs in arrival order, so every message the handler gets
// after this came over the new connection.
func (s *subState) onConnect(client.Info) {
	now := time.Now()
	s.mu.Lock()
	if !s.cutAt.IsZero() && s.connectedAt.IsZero() {
		s.connectedAt = now
		if !s.dialAt.IsZero() {
			s.l.rec.backoff.Record(s.dialAt.Sub(s.cutAt))
			s.l.rec.connect.Record(now.Sub(s.dialAt))
		}
	}
	s.mu.Unlock()
}

// onResubscribe runs on the dispatcher after the SDK's automatic
// resubscribe.
func (s *subState) onResubscribe(r client.Recovery) {
	now := time.Now()
	if !r.Recovered {
		s.l.rec.incomplete.Add(1)
	}
	s.mu.Lock()
	if !s.connectedAt.IsZero() {
		s.l.rec.resubscribe.Record(now.Sub(s.connectedAt))
	}
	s.mu.Unlock()
}

// receive is the subscriber's handler in cut mode; it must not allocate.
func (s *subState) receive(m client.Message) {
	s.l.receive(m)
	now := time.Now()
	s.mu.Lock()
	switch {
	case m.Epoch != s.epoch:
		s.epoch = m.Epoch // a new stream: nothing to compare with
	case m.Offset <= s.last:
		s.l.rec.duplicated.Add(1)
	case m.Offset > s.last+1:
		s.l.rec.lost.Add(m.Offset - s.last - 1)
	}
	if m.Epoch == s.epoch && m.Offset > s.last {
		s.last = m.Offset
	}
	if !s.cutAt.IsZero() && !s.connectedAt.IsZero() {
		s.l.rec.first.Record(now.Sub(s.cutAt))
		s.cutAt = time.Time{}
	}
	s.mu.Unlock()
}

// start sets the stream position the subscriber starts from (its subscribe
// reply's), before any message can arrive.
func (s *subState) start(p client.Position) {
	s.mu.Lock()
	s.last, s.epoch = p.Offset, p.Epoch
	s.mu.Unlock()
}

// tail counts the messages after the last one the subscriber got up to top,
// the highest offset a publish into its channel was given: lost at the end.
func (s *subState) tail(top uint64) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if top > s.last {
		return top - s.last
	}
	return 0
}

// pending reports whether the subscriber is still waiting for its first
// message after a cut.
func (s *subState) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.cutAt.IsZero()
}

// recovery holds cut mode's counters.
type recovery struct {
	cuts, rounds atomic.Uint64
	incomplete   atomic.Uint64 // resubscribes with Recovered false
	lost         atomic.Uint64 // gaps in offsets the app saw
	duplicated   atomic.Uint64 // offsets the app saw twice

	// From the cut to the first message delivered over the new connection,
	// and its phases: the SDK's back-off (cut to the reconnect's dial), the
	// reconnect (TCP, WebSocket handshake and the connect request), and the
	// resubscribe with recovery (connected to its reply).
	first, backoff, connect, resubscribe latencies
}

// cutter cuts connections every CutEvery from start until end.
func (l *load) cutter(ctx context.Context, start, end time.Time) {
	every := l.cfg.CutEvery
	timer := time.NewTimer(time.Until(start.Add(every)))
	defer timer.Stop()
	for at := start.Add(every); at.Before(end); at = at.Add(every) {
		timer.Reset(time.Until(at))
		select {
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		l.cutRound()
	}
}

// cutRound cuts a share CutFraction of the subscribers (chosen at random
// each round; all of them at 1).
func (l *load) cutRound() {
	n := len(l.states)
	k := min(n, int(math.Ceil(l.cfg.CutFraction*float64(n)-1e-9)))
	cut := 0
	for _, i := range rand.Perm(n)[:k] {
		if st := l.states[i]; st != nil && st.cut() {
			cut++
		}
	}
	l.rec.rounds.Add(1)
	l.rec.cuts.Add(uint64(cut))
}

// noteOffset keeps the highest offset a publish into ch was given.
func (l *load) noteOffset(ch int, off uint64) {
	top := &l.topOffset[ch]
	for {
		cur := top.Load()
		if off <= cur || top.CompareAndSwap(cur, off) {
			return
		}
	}
}

// recoveryReport summarizes cut mode, with the messages lost at the end
// (after each subscriber's last one) added to those lost in gaps.
func (l *load) recoveryReport() *RecoveryReport {
	r := &l.rec
	out := &RecoveryReport{
		Cuts:                 r.cuts.Load(),
		Recoveries:           uint64(r.first.Count()),
		RecoveriesIncomplete: r.incomplete.Load(),
		Lost:                 r.lost.Load(),
		Duplicated:           r.duplicated.Load(),
		RecoveryP50MS:        ms(r.first.Quantile(0.50)),
		RecoveryP99MS:        ms(r.first.Quantile(0.99)),
		RecoveryMaxMS:        ms(r.first.Max()),
	}
	for _, st := range l.states {
		if st == nil {
			continue
		}
		out.Lost += st.tail(l.topOffset[st.ch].Load())
		if st.pending() {
			out.Unrecovered++
		}
	}
	return out
}

// printRecovery writes where the recoveries spent their time.
func (l *load) printRecovery() {
	r := &l.rec
	w := l.cfg.Progress
	back := "the SDK's default back-off (250 ms, 10 s)"
	if l.cfg.BackoffMin > 0 {
		back = fmt.Sprintf("back-off %s, %s", l.cfg.BackoffMin, l.cfg.BackoffMax)
	}
	fmt.Fprintf(w, "bench: %d cut rounds, %d connections cut, %s\n", r.rounds.Load(), r.cuts.Load(), back)
	for _, p := range []struct {
		name string
		h    *latencies
	}{
		{"cut to first message", &r.first},
		{"  back-off (cut to dial)", &r.backoff},
		{"  reconnect (dial to connected)", &r.connect},
		{"  resubscribe (connected to its reply)", &r.resubscribe},
		{"publish to its reply (all publishes)", &l.pubReply},
	} {
		fmt.Fprintf(w, "bench: recovery %-40s n=%d p50=%.1fms p90=%.1fms p99=%.1fms max=%.1fms\n",
			p.name, p.h.Count(), ms(p.h.Quantile(0.5)), ms(p.h.Quantile(0.9)), ms(p.h.Quantile(0.99)), ms(p.h.Max()))
	}
}
