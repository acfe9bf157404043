package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/engine/client"
)

// Runner tuning. These bound the runner's own work, not the evaluator's
// choices (those are Limits).
const (
	dialParallel   = 32                     // connects in flight at once
	publishWorkers = 32                     // publish calls in flight at once
	sampleEvery    = 500 * time.Millisecond // progress interval
	drainTimeout   = 3 * time.Second        // wait for in-flight deliveries after publishing
	schedulerTick  = 5 * time.Millisecond
)

// vclient is one load-test connection and its latency samples.
type vclient struct {
	c       *client.Client
	channel string

	mu     sync.Mutex
	window []float64 // latencies (ms) since the last sample
	all    []float64
}

func (v *vclient) record(ms float64) {
	v.mu.Lock()
	v.window = append(v.window, ms)
	v.all = append(v.all, ms)
	v.mu.Unlock()
}

// sentAt reads the send time from a payload that starts with {"t":<unix ns>.
func sentAt(data []byte) (int64, bool) {
	const prefix = `{"t":`
	if !bytes.HasPrefix(data, []byte(prefix)) {
		return 0, false
	}
	data = data[len(prefix):]
	end := bytes.IndexAny(data[:min(len(data), 24)], ",}")
	if end < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(data[:end]), 10, 64)
	return n, err == nil
}

// runLoadTest connects p.Clients clients, spreads them over p.Channels
// channels, publishes p.Rate messages per second for p.DurationSec seconds
// and measures every delivery. It returns the report (not yet stored).
func (s *Service) runLoadTest(ctx context.Context, r *Run, appID, cert string, p LoadTestParams) (*Report, error) {
	url := s.cfg.WSURL()
	rep := &Report{ID: r.ID, CreatedAt: s.now().UTC().Truncate(time.Second), Params: p}
	var delivered atomic.Int64

	// Connect and subscribe.
	clients := make([]*vclient, p.Clients)
	connectMs := make([]float64, p.Clients)
	var failures atomic.Int64
	tokTTL := time.Duration(p.DurationSec)*time.Second + 5*time.Minute
	connStart := time.Now()
	sem := make(chan struct{}, dialParallel)
	var wg sync.WaitGroup
	for i := range clients {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			tok, err := engine.MintToken(appID, cert, engine.Claims{Subject: fmt.Sprintf("loadtest-%d", i)}, tokTTL)
			if err != nil {
				failures.Add(1)
				return
			}
			t0 := time.Now()
			c, err := client.Dial(ctx, url, tok)
			if err != nil {
				failures.Add(1)
				return
			}
			v := &vclient{c: c, channel: "loadtest." + strconv.Itoa(i%p.Channels)}
			_, err = c.Subscribe(ctx, v.channel, func(m client.Message) {
				now := time.Now().UnixNano()
				if t, ok := sentAt(m.Data); ok {
					v.record(float64(now-t) / 1e6)
				}
				delivered.Add(1)
			})
			if err != nil {
				c.Close()
				failures.Add(1)
				return
			}
			connectMs[i] = float64(time.Since(t0).Microseconds()) / 1000
			clients[i] = v
		}(i)
	}
	wg.Wait()
	rep.ConnectTotalMs = float64(time.Since(connStart).Microseconds()) / 1000
	defer func() {
		var cw sync.WaitGroup
		for _, v := range clients {
			if v != nil {
				cw.Add(1)
				go func() { defer cw.Done(); v.c.Close() }()
			}
		}
		cw.Wait()
	}()
	var live []*vclient
	subsPer := map[string]int64{}
	var conn []float64
	for i, v := range clients {
		if v != nil {
			live = append(live, v)
			subsPer[v.channel]++
			conn = append(conn, connectMs[i])
		}
	}
	rep.Connected, rep.ConnectFailures = len(live), int(failures.Load())
	if len(live) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sandbox: load test: %w", err)
		}
		return nil, fmt.Errorf("sandbox: load test: no client could connect to %s", url)
	}
	slices.Sort(conn)
	rep.ConnectP50Ms, rep.ConnectMaxMs = percentile(conn, 50), conn[len(conn)-1]

	// Publish at the chosen rate: a scheduler hands publish jobs, round
	// robin over the clients, to a pool of workers.
	pad := strings.Repeat("x", p.PayloadBytes)
	var sent, pubErrs, expected atomic.Int64
	jobs := make(chan *vclient, publishWorkers*4)
	var pw sync.WaitGroup
	for range publishWorkers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for v := range jobs {
				data := []byte(`{"t":` + strconv.FormatInt(time.Now().UnixNano(), 10) + `,"p":"` + pad + `"}`)
				if _, err := v.c.Publish(ctx, v.channel, json.RawMessage(data)); err != nil {
					pubErrs.Add(1)
					continue
				}
				sent.Add(1)
				expected.Add(subsPer[v.channel])
			}
		}()
	}

	start := time.Now()
	dur := time.Duration(p.DurationSec) * time.Second
	sampleStop := make(chan struct{})
	sampleDone := make(chan struct{})
	var smp sampler // used by the sampling goroutine only
	go func() {
		defer close(sampleDone)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-sampleStop:
				// The last interval is a whole one too, so the last point
				// is not a near-copy of the one before it.
				<-t.C
				smp.take(r, live, time.Since(start), sent.Load(), delivered.Load())
				return
			case <-t.C:
				smp.take(r, live, time.Since(start), sent.Load(), delivered.Load())
			}
		}
	}()

	tick := time.NewTicker(schedulerTick)
	issued, next := int64(0), 0
publish:
	for {
		select {
		case <-ctx.Done():
			break publish
		case <-tick.C:
		}
		el := time.Since(start)
		if el >= dur {
			break
		}
		want := int64(el.Seconds() * float64(p.Rate))
		for ; issued < want; issued++ {
			select {
			case jobs <- live[next]:
			case <-ctx.Done():
				break publish
			}
			next = (next + 1) % len(live)
		}
	}
	tick.Stop()
	close(jobs)
	pw.Wait()
	pubDur := time.Since(start)

	// Drain: wait for deliveries still in flight.
	deadline := time.Now().Add(drainTimeout)
	for delivered.Load() < expected.Load() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	close(sampleStop)
	<-sampleDone
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sandbox: load test cancelled: %w", err)
	}

	rep.Sent, rep.PublishErrors, rep.Expected, rep.Delivered = sent.Load(), pubErrs.Load(), expected.Load(), delivered.Load()
	if rep.Expected > 0 {
		rep.DeliveryRate = round2(100 * float64(min(rep.Delivered, rep.Expected)) / float64(rep.Expected))
	}
	var lat []float64
	for _, v := range live {
		v.mu.Lock()
		lat = append(lat, v.all...)
		v.mu.Unlock()
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		rep.LatencyP50Ms, rep.LatencyP90Ms = round2(percentile(lat, 50)), round2(percentile(lat, 90))
		rep.LatencyP99Ms, rep.LatencyMaxMs = round2(percentile(lat, 99)), round2(lat[len(lat)-1])
	}
	rep.DurationSec = round2(pubDur.Seconds())
	rep.PublishedPerSec = round2(float64(rep.Sent) / pubDur.Seconds())
	rep.DeliveredPerSec = round2(float64(rep.Delivered) / pubDur.Seconds())
	rep.ConnectP50Ms, rep.ConnectMaxMs, rep.ConnectTotalMs = round2(rep.ConnectP50Ms), round2(rep.ConnectMaxMs), round2(rep.ConnectTotalMs)
	r.mu.Lock()
	rep.Samples = append([]Sample(nil), r.samples...)
	r.mu.Unlock()
	rep.judge()
	return rep, nil
}

// sampler adds the progress samples of one run. It drops an interval in
// which nothing was sent or delivered. The last sample used to be taken the
// moment the drain ended, often just after a tick: it repeated the tick's
// point with a p50 and p99 of 0 (an empty window), which showed as the p99
// line falling to 0 and a bogus last row of the report.
type sampler struct {
	taken           bool
	sent, delivered int64
}

func (s *sampler) take(r *Run, live []*vclient, el time.Duration, sent, delivered int64) {
	smp, n := takeSample(live, el, sent, delivered)
	if s.taken && n == 0 && sent == s.sent && delivered == s.delivered {
		return
	}
	s.taken, s.sent, s.delivered = true, sent, delivered
	r.addSample(smp)
}

// takeSample computes the interval's p50/p99 and empties the windows; n is
// the number of latencies in the interval.
func takeSample(live []*vclient, el time.Duration, sent, delivered int64) (_ Sample, n int) {
	var w []float64
	for _, v := range live {
		v.mu.Lock()
		w = append(w, v.window...)
		v.window = v.window[:0]
		v.mu.Unlock()
	}
	slices.Sort(w)
	return Sample{T: round2(el.Seconds()), Sent: sent, Delivered: delivered,
		P50Ms: round2(percentile(w, 50)), P99Ms: round2(percentile(w, 99))}, len(w)
}

// percentile of sorted xs by the nearest-rank method; 0 for no data.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	k := int(p/100*float64(len(xs))+0.999999) - 1
	k = max(0, min(k, len(xs)-1))
	return xs[k]
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
