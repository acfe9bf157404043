package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/client"
)

// Run performs one run described by cfg (a load run, or an idle run when
// cfg.Idle > 0) and returns its report. Every connection it opened is
// closed before it returns.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	u, err := wsURL(cfg.URL)
	if err != nil {
		return Report{}, err
	}
	cfg.URL = u
	if cfg.PubURL == "" {
		cfg.PubURL = u
	} else if cfg.PubURL, err = wsURL(cfg.PubURL); err != nil {
		return Report{}, err
	}
	if len(cfg.SubURLs) == 0 {
		cfg.SubURLs = []string{u}
	}
	subs := make([]string, len(cfg.SubURLs))
	for i, s := range cfg.SubURLs {
		if subs[i], err = wsURL(s); err != nil {
			return Report{}, err
		}
	}
	cfg.SubURLs = subs
	if cfg.Idle > 0 {
		return runIdle(ctx, cfg)
	}
	return newLoad(cfg).run(ctx)
}

// load is one load run.
type load struct {
	cfg Config
	d   *dialer

	channels       []string
	subsPerChannel []uint64
	streamsPerChan int     // publishing streams per channel
	streamRate     float64 // messages per second of one stream
	streamsPerPub  int     // streams sharing one publisher connection

	subs, pubs []*client.Client

	hist         Histogram
	delivered    atomic.Uint64
	sent         atomic.Uint64
	expected     atomic.Uint64
	pubErrors    atomic.Uint64
	pubUnknown   atomic.Uint64 // publishes whose reply timed out
	badPayloads  atomic.Uint64
	lastDelivery atomic.Int64 // Unix ns
	firstPubErr  atomic.Pointer[error]
}

func newLoad(cfg Config) *load {
	l := &load{cfg: cfg, d: &dialer{url: cfg.URL, appID: cfg.AppID, appCert: cfg.AppCert}}
	run := make([]byte, 4)
	rand.Read(run)
	id := hex.EncodeToString(run)
	l.channels = make([]string, cfg.Channels)
	l.subsPerChannel = make([]uint64, cfg.Channels)
	for i := range l.channels {
		// A fresh name per run, so that runs against a shared server never
		// see each other's messages or history.
		l.channels[i] = fmt.Sprintf("bench.%s.%d", id, i)
	}
	for i := range cfg.Subscribers {
		l.subsPerChannel[i%cfg.Channels]++
	}
	// Split each channel's rate into streams of at most PublisherRate, and
	// pack as many streams into a publisher connection as fit under it.
	l.streamsPerChan = int(math.Ceil(cfg.Rate / cfg.PublisherRate))
	l.streamRate = cfg.Rate / float64(l.streamsPerChan)
	l.streamsPerPub = max(1, int(math.Floor(cfg.PublisherRate/l.streamRate+1e-9)))
	return l
}

// publishers is the number of publisher connections the run opens.
func (l *load) publishers() int {
	streams := l.cfg.Channels * l.streamsPerChan
	return (streams + l.streamsPerPub - 1) / l.streamsPerPub
}

func (l *load) run(ctx context.Context) (Report, error) {
	cfg := l.cfg
	if err := ensureFDs(cfg.Subscribers + l.publishers()); err != nil {
		return Report{}, err
	}
	defer func() {
		closeAll(l.subs)
		closeAll(l.pubs)
	}()
	if len(cfg.SubURLs) > 1 || cfg.PubURL != cfg.URL {
		fmt.Fprintf(cfg.Progress, "bench: subscribers on %s, publishers on %s\n", strings.Join(cfg.SubURLs, ", "), cfg.PubURL)
	}
	fmt.Fprintf(cfg.Progress, "bench: %d subscribers on %d channels, %g msg/s per channel (%d publisher connections at <= %g msg/s each), %d-byte payloads, %s\n",
		cfg.Subscribers, cfg.Channels, cfg.Rate, l.publishers(), l.streamRate*float64(l.streamsPerPub), cfg.Size, cfg.Duration)

	connectStart := time.Now()
	if err := l.connect(ctx); err != nil {
		return Report{}, err
	}
	connectTime := time.Since(connectStart)
	fmt.Fprintf(cfg.Progress, "bench: connected and subscribed %d clients in %s\n", cfg.Subscribers+len(l.pubs), connectTime.Round(time.Millisecond))

	stopProgress := l.progress(ctx)
	cpu := startCPUMeter(cfg.ServerPID)
	start := time.Now()
	l.lastDelivery.Store(start.UnixNano())
	err := l.publish(ctx, start)
	if err == nil {
		err = l.drain(ctx)
	}
	stopProgress()
	if err != nil {
		return Report{}, err
	}

	cpu.print(cfg.Progress, time.Since(start), l.delivered.Load())
	r := l.report(start)
	r.ConnectMS = ms(connectTime)
	r.ServerRSSBytes = serverRSS(cfg.ServerPID, cfg.Progress)
	if n := l.pubErrors.Load(); n > 0 {
		fmt.Fprintf(cfg.Progress, "bench: %d publishes failed; first error: %v\n", n, *l.firstPubErr.Load())
	}
	if n := l.pubUnknown.Load(); n > 0 {
		fmt.Fprintf(cfg.Progress, "bench: %d publishes got no reply within %s; their deliveries may be counted in delivered but not in expected\n", n, publishTimeout)
	}
	if n := l.d.disconnects.Load(); n > 0 {
		fmt.Fprintf(cfg.Progress, "bench: %d connections dropped during the run (the SDK reconnected and recovered them)\n", n)
	}
	if n := l.badPayloads.Load(); n > 0 {
		fmt.Fprintf(cfg.Progress, "bench: %d received messages had no bench timestamp\n", n)
	}
	return r, nil
}

// connect opens the subscribers (each subscribed to its channel) and the
// publishers.
func (l *load) connect(ctx context.Context) error {
	cfg := l.cfg
	l.subs = make([]*client.Client, cfg.Subscribers)
	err := forEach(ctx, cfg.Subscribers, cfg.ConnectConcurrency, func(ctx context.Context, i int) error {
		c, err := l.d.dialURL(ctx, cfg.SubURLs[i%len(cfg.SubURLs)], fmt.Sprintf("bench-sub-%d", i))
		if err != nil {
			return connectErr("subscriber", i, err)
		}
		l.subs[i] = c
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := c.Subscribe(sctx, l.channels[i%cfg.Channels], l.receive); err != nil {
			return connectErr("subscriber", i, fmt.Errorf("subscribe: %w", err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.pubs = make([]*client.Client, l.publishers())
	return forEach(ctx, len(l.pubs), cfg.ConnectConcurrency, func(ctx context.Context, i int) error {
		c, err := l.d.dialURL(ctx, cfg.PubURL, fmt.Sprintf("bench-pub-%d", i))
		if err != nil {
			return connectErr("publisher", i, err)
		}
		l.pubs[i] = c
		return nil
	})
}

// receive is every subscriber's handler. It must not allocate.
func (l *load) receive(m client.Message) {
	now := time.Now().UnixNano()
	t, err := parseStamp(m.Data)
	if err != nil {
		l.badPayloads.Add(1)
		return
	}
	l.hist.Record(time.Duration(now - t))
	l.delivered.Add(1)
	for {
		last := l.lastDelivery.Load()
		if now <= last || l.lastDelivery.CompareAndSwap(last, now) {
			break
		}
	}
}

// publishTimeout bounds the wait for one publish reply. It is long because a
// publish that times out has an unknown outcome (see load.pubUnknown).
const publishTimeout = 2 * time.Minute

// maxInFlight bounds the unanswered publishes of one stream. Publishing is
// open-loop (a slow reply does not delay the next message, so stalls are
// measured instead of hidden) up to this bound.
const maxInFlight = 256

// publish runs every stream until cfg.Duration has passed and all their
// publishes are answered.
func (l *load) publish(ctx context.Context, start time.Time) error {
	cfg := l.cfg
	end := start.Add(cfg.Duration)
	interval := time.Duration(float64(time.Second) / l.streamRate)
	var wg sync.WaitGroup
	stream := 0
	for ch := range l.channels {
		for k := range l.streamsPerChan {
			pub := l.pubs[stream/l.streamsPerPub]
			// Spread the streams of a channel, and the channels, evenly over
			// one interval instead of publishing everything at once.
			phase := time.Duration(float64(interval) * (float64(k)/float64(l.streamsPerChan) +
				float64(ch)/float64(len(l.channels)*l.streamsPerChan)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.runStream(ctx, pub, ch, start.Add(phase), interval, end)
			}()
			stream++
		}
	}
	wg.Wait()
	return ctx.Err()
}

// runStream publishes into channel ch at first, first+interval, … until end.
func (l *load) runStream(ctx context.Context, pub *client.Client, ch int, first time.Time, interval time.Duration, end time.Time) {
	template := newPayload(l.cfg.Size)
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for n := 0; ; n++ {
		at := first.Add(time.Duration(n) * interval)
		if !at.Before(end) {
			return
		}
		timer.Reset(time.Until(at))
		select {
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		p := make([]byte, len(template))
		copy(p, template)
		stamp(p, time.Now())
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			pctx, cancel := context.WithTimeout(ctx, publishTimeout)
			defer cancel()
			if _, err := pub.Publish(pctx, l.channels[ch], json.RawMessage(p)); err != nil {
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					// The server may still have accepted it: its deliveries
					// can arrive, but it is not counted as expected.
					l.pubUnknown.Add(1)
				}
				if l.pubErrors.Add(1) == 1 {
					l.firstPubErr.Store(&err)
				}
				return
			}
			l.sent.Add(1)
			l.expected.Add(l.subsPerChannel[ch])
		}()
	}
}

// drain waits until every expected delivery arrived or the grace period
// is over.
func (l *load) drain(ctx context.Context) error {
	deadline := time.Now().Add(l.cfg.Grace)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for l.delivered.Load() < l.expected.Load() && time.Now().Before(deadline) {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// progress prints a line every second, and a last one when the returned
// stop is called; p99 and deliveries are over the interval since the
// previous line.
func (l *load) progress(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start := time.Now()
		prev := l.hist.Snapshot()
		for {
			last := false
			select {
			case <-t.C:
			case <-done:
				last = true
			case <-ctx.Done():
				return
			}
			cur := l.hist.Snapshot()
			win := cur.Sub(prev)
			prev = cur
			fmt.Fprintf(l.cfg.Progress, "bench: %5.1fs sent=%d delivered=%d/%d p99(interval)=%.3fms deliveries(interval)=%d\n",
				time.Since(start).Seconds(), l.sent.Load(), l.delivered.Load(), l.expected.Load(),
				ms(win.Quantile(0.99)), win.Count())
			if last {
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

// report summarizes the counters; start is when publishing began.
func (l *load) report(start time.Time) Report {
	s := l.hist.Snapshot()
	r := Report{
		Sent:      l.sent.Load(),
		Expected:  l.expected.Load(),
		Delivered: l.delivered.Load(),
		P50MS:     ms(s.Quantile(0.50)),
		P90MS:     ms(s.Quantile(0.90)),
		P99MS:     ms(s.Quantile(0.99)),
		MaxMS:     ms(l.hist.Max()),
	}
	r.DeliveryRate = ratio(r.Delivered, r.Expected)
	if span := time.Duration(l.lastDelivery.Load() - start.UnixNano()); span > 0 {
		r.DeliveriesPerSec = math.Round(float64(r.Delivered)/span.Seconds()*10) / 10
	}
	return r
}
