package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"
)

// worker delivers one endpoint's events, oldest first: the next event
// waits until the one before it succeeded or failed for good, so the
// endpoint sees them in order.
type worker struct {
	s       *Service
	ep      Endpoint
	pending atomic.Int64 // undelivered outbox rows
	signal  chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
}

func newWorker(s *Service, ep Endpoint, pending int64) *worker {
	w := &worker{s: s, ep: ep, signal: make(chan struct{}, 1)}
	w.pending.Store(pending)
	w.ctx, w.cancel = context.WithCancel(s.ctx)
	return w
}

// wake tells the worker that new events are in the outbox.
func (w *worker) wake() {
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

func (w *worker) stop() { w.cancel() }

// batch is how many outbox rows a worker reads at once; the successes
// among them are committed together, at least every second (a crash
// before that commit means they are delivered again, with the same IDs:
// at least once).
const batch = 64

func (w *worker) run() {
	ctx := w.ctx
	for ctx.Err() == nil {
		rows, err := w.s.st.heads(ctx, w.ep.ID, batch)
		if err != nil {
			if ctx.Err() == nil {
				w.s.log.ErrorContext(ctx, "webhook outbox", "endpoint", w.ep.ID, "err", err)
			}
			w.sleep(ctx, time.Second, false)
			continue
		}
		if len(rows) == 0 {
			// The writer wakes us; the timer covers rows written by another process.
			w.sleep(ctx, w.s.cfg.Refresh, true)
			continue
		}
		if d := time.Until(rows[0].NextAt); d > 0 {
			w.sleep(ctx, d, false)
			continue
		}
		w.deliver(ctx, rows)
	}
}

// sleep waits for d, ctx, or (if wakeable) a wake.
func (w *worker) sleep(ctx context.Context, d time.Duration, wakeable bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	sig := w.signal
	if !wakeable {
		sig = nil
	}
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-sig:
	}
}

// deliver sends rows in order until one fails, then records the outcomes
// in one transaction; the failed one (if any) waits for its retry.
func (w *worker) deliver(ctx context.Context, rows []outRow) {
	s := w.s
	var outs []outcome
	start := time.Now()
	for _, row := range rows {
		// A slow endpoint's successes are committed at least every second.
		if time.Until(row.NextAt) > 0 || time.Since(start) > time.Second {
			break
		}
		d := s.post(ctx, w.ep, row, row.Attempts+1)
		if ctx.Err() != nil && !d.OK() {
			break // stopping: the attempt is retried after the next start
		}
		o := outcome{row: row, d: d, done: d.OK()}
		if !o.done {
			o.failed = time.Since(row.CreatedAt) >= s.cfg.MaxAge
			o.next = time.Now().Add(backoff(s.cfg, d.Attempt))
		}
		outs = append(outs, o)
		if !o.done && !o.failed {
			break // in order: nothing after it goes before its retry
		}
	}
	if len(outs) == 0 {
		return
	}
	// Finished attempts are recorded even while stopping.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.st.finish(fctx, w.ep.ID, outs); err != nil {
		s.log.ErrorContext(ctx, "record webhook delivery", "endpoint", w.ep.ID, "err", err)
		w.sleep(ctx, time.Second, false)
		return
	}
	for _, o := range outs {
		switch {
		case o.done:
			w.pending.Add(-1)
			s.delivered.Add(1)
		case o.failed:
			w.pending.Add(-1)
			s.failed.Add(1)
			s.log.WarnContext(ctx, "webhook event failed for good", "endpoint", w.ep.ID, "event", o.row.EventID, "attempts", o.d.Attempt, "err", o.d.Error)
		default:
			s.retried.Add(1)
		}
	}
}

// backoff is the delay before retry n (n ≥ 1): a random time between half
// and all of min(MaxBackoff, MinBackoff·2^(n-1)).
func backoff(c Config, n int) time.Duration {
	d := c.MaxBackoff
	if n < 40 {
		d = min(c.MaxBackoff, c.MinBackoff<<(n-1))
	}
	return d/2 + rand.N(d/2+1)
}

// post sends row to ep once, signed now.
func (s *Service) post(ctx context.Context, ep Endpoint, row outRow, attempt int) Delivery {
	d := Delivery{EventID: row.EventID, Type: row.Type, Attempt: attempt, At: time.Now().UTC()}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(row.Body))
	if err != nil {
		d.Error = err.Error()
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Switchboard-Webhooks/1")
	req.Header.Set(HeaderEvent, row.Type)
	req.Header.Set(HeaderDelivery, row.EventID)
	req.Header.Set(HeaderSignature, Sign(ep.Secret, time.Now(), row.Body))
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		d.Duration = time.Since(start)
		d.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			d.Error = fmt.Sprintf("no answer within %v", s.cfg.Timeout)
		}
		return d
	}
	d.Duration = time.Since(start)
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	d.Status = resp.StatusCode
	if !d.OK() {
		d.Error = "answered " + resp.Status
	}
	return d
}

// newHTTPClient returns the deliveries' client: no redirects (a 3xx is a
// failed attempt), and with DenyPrivate a dialer that refuses private
// addresses at connect time.
func newHTTPClient(c Config) *http.Client {
	dialer := &net.Dialer{Timeout: c.Timeout}
	if c.DenyPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if privateAddr(ap.Addr()) {
				return fmt.Errorf("%w (%s)", ErrPrivate, ap.Addr())
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
