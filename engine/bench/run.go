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
	chanSubs   [][]*client.Client // connected subscribers by channel
	states     []*subState        // by subscriber, in cut mode
	topOffset  []atomic.Uint64    // by channel: the highest offset a publish got
	rec        recovery           // cut mode's counters

	hist         latencies // publish to receipt
	connHist     latencies // one subscriber's connect and subscribe
	pubReply     latencies // publish to its reply
	connFailures atomic.Int64
	publishTime  time.Duration
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
	l.topOffset = make([]atomic.Uint64, cfg.Channels)
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
	if l.cfg.PublishFromSubscribers {
		return 0
	}
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
	// The schedule covers [start, start+Duration): the phase lasts that
	// long even when its last message went out, and was answered, earlier.
	l.publishTime = max(time.Since(start), cfg.Duration)
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
	if l.cfg.CutEvery > 0 {
		l.printRecovery()
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
	if cfg.CutEvery > 0 {
		l.states = make([]*subState, cfg.Subscribers)
	}
	err := forEach(ctx, cfg.Subscribers, cfg.ConnectConcurrency, func(ctx context.Context, i int) error {
		t0 := time.Now()
		err := l.subscribe(ctx, i)
		switch {
		case err == nil:
			l.connHist.Record(time.Since(t0))
		case cfg.AllowConnectFailures && ctx.Err() == nil:
			if c := l.subs[i]; c != nil {
				c.Close()
				l.subs[i] = nil
			}
			if l.states != nil {
				l.states[i] = nil
			}
			l.connFailures.Add(1)
		default:
			return connectErr("subscriber", i, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Expect deliveries to the subscribers that are there.
	l.chanSubs = make([][]*client.Client, cfg.Channels)
	clear(l.subsPerChannel)
	live := 0
	for i, c := range l.subs {
		if c != nil {
			l.chanSubs[i%cfg.Channels] = append(l.chanSubs[i%cfg.Channels], c)
			l.subsPerChannel[i%cfg.Channels]++
			live++
		}
	}
	if live == 0 {
		return fmt.Errorf("bench: no subscriber could connect to %s", cfg.URL)
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

// subscribe connects subscriber i and subscribes it to its channel.
func (l *load) subscribe(ctx context.Context, i int) error {
	var opts []client.Option
	if l.cfg.BackoffMin > 0 {
		opts = append(opts, client.WithBackoff(l.cfg.BackoffMin, l.cfg.BackoffMax))
	}
	h := l.receive
	var subOpts []client.SubOption
	var st *subState
	if l.states != nil {
		st = &subState{l: l, ch: i % l.cfg.Channels}
		l.states[i] = st
		opts = append(opts, client.WithHTTPClient(st.httpClient()), client.WithOnConnect(st.onConnect))
		h = st.receive
		subOpts = append(subOpts, client.WithOnResubscribe(st.onResubscribe))
	}
	c, err := l.d.dialURL(ctx, l.cfg.SubURLs[i%len(l.cfg.SubURLs)], fmt.Sprintf("bench-sub-%d", i), opts...)
	if err != nil {
		return err
	}
	l.subs[i] = c
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sub, err := c.Subscribe(sctx, l.channels[i%l.cfg.Channels], h, subOpts...)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	if st != nil {
		st.start(sub.Position())
	}
	return nil
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
	end := start.Add(l.cfg.Duration)
	var wg sync.WaitGroup
	if l.cfg.CutEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.cutter(ctx, start, end)
		}()
	}
	for _, s := range l.streams() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.runStream(ctx, s.pub, s.ch, start.Add(s.phase), s.interval, end)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// stream is one open-loop sequence of publishes into a channel from one
// connection, a message every interval from its phase on.
type stream struct {
	pub             *client.Client
	ch              int
	phase, interval time.Duration
}

// streams lays the channels' rates out over the publishing connections,
// spreading the streams of a channel, and the channels, evenly over one
// interval instead of publishing everything at once.
func (l *load) streams() []stream {
	var out []stream
	n := len(l.channels)
	if l.cfg.PublishFromSubscribers {
		for ch, subs := range l.chanSubs {
			k := float64(len(subs))
			interval := time.Duration(float64(time.Second) * k / l.cfg.Rate)
			for j, c := range subs {
				phase := time.Duration(float64(interval) * (float64(j)/k + float64(ch)/(float64(n)*k)))
				out = append(out, stream{pub: c, ch: ch, phase: phase, interval: interval})
			}
		}
		return out
	}
	interval := time.Duration(float64(time.Second) / l.streamRate)
	for ch := range l.channels {
		for k := range l.streamsPerChan {
			phase := time.Duration(float64(interval) * (float64(k)/float64(l.streamsPerChan) +
				float64(ch)/float64(n*l.streamsPerChan)))
			out = append(out, stream{pub: l.pubs[len(out)/l.streamsPerPub], ch: ch, phase: phase, interval: interval})
		}
	}
	return out
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
			t0 := time.Now()
			pos, err := pub.Publish(pctx, l.channels[ch], json.RawMessage(p))
			l.pubReply.Record(time.Since(t0))
			if err != nil {
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
			l.noteOffset(ch, pos.Offset)
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

// progress prints a line every ProgressInterval, and a last one when the
// returned stop is called (a whole interval later when OnProgress is set);
// p99 and deliveries are over the interval since the previous line.
func (l *load) progress(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	// Taken before publishing starts, so the first interval misses nothing.
	start := time.Now()
	prev := l.hist.Snapshot()
	go func() {
		defer close(finished)
		t := time.NewTicker(l.cfg.ProgressInterval)
		defer t.Stop()
		for {
			last := false
			select {
			case <-t.C:
			case <-done:
				last = true
				if l.cfg.OnProgress != nil {
					select {
					case <-t.C:
					case <-ctx.Done():
						return
					}
				}
			case <-ctx.Done():
				return
			}
			cur := l.hist.Snapshot()
			win := cur.Sub(&prev)
			prev = cur
			p := Progress{Elapsed: time.Since(start), Sent: l.sent.Load(), Delivered: l.delivered.Load(), Expected: l.expected.Load(), Interval: &win}
			fmt.Fprintf(l.cfg.Progress, "bench: %5.1fs sent=%d delivered=%d/%d p99(interval)=%.3fms deliveries(interval)=%d\n",
				p.Elapsed.Seconds(), p.Sent, p.Delivered, p.Expected, ms(l.hist.quantile(&win, 0.99)), win.Count())
			if f := l.cfg.OnProgress; f != nil {
				f(p)
			}
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
		P50MS:     ms(l.hist.quantile(&s, 0.50)),
		P90MS:     ms(l.hist.quantile(&s, 0.90)),
		P99MS:     ms(l.hist.quantile(&s, 0.99)),
		MaxMS:     ms(l.hist.Max()),

		ConnectFailures: int(l.connFailures.Load()),
		ConnectP50:      l.connHist.Quantile(0.50),
		ConnectMax:      l.connHist.Max(),
		PublishErrors:   l.pubErrors.Load(),
		PublishTime:     l.publishTime,
	}
	for _, subs := range l.chanSubs {
		r.Connected += len(subs)
	}
	r.DeliveryRate = ratio(r.Delivered, r.Expected)
	if l.cfg.CutEvery > 0 {
		r.RecoveryReport = l.recoveryReport()
	}
	if span := time.Duration(l.lastDelivery.Load() - start.UnixNano()); span > 0 {
		r.DeliveriesPerSec = math.Round(float64(r.Delivered)/span.Seconds()*10) / 10
	}
	return r
}
