package sandbox

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-rtm/switchboard/engine/bench"
)

// Runner tuning. These bound the runner's own work, not the evaluator's
// choices (those are Limits).
const (
	dialParallel = 32                     // connects in flight at once
	sampleEvery  = 500 * time.Millisecond // progress interval
	drainTimeout = 3 * time.Second        // wait for in-flight deliveries after publishing
)

// runLoadTest connects p.Clients clients, spreads them over p.Channels
// channels, publishes p.Rate messages per second for p.DurationSec seconds
// and measures every delivery. The load generator is the engine's bench
// (engine/bench), run with the clients themselves as publishers, so a
// test needs no more connections than it asks for. It returns the report
// (not yet stored).
func (s *Service) runLoadTest(ctx context.Context, r *Run, appID, cert string, p LoadTestParams) (*Report, error) {
	url := s.cfg.WSURL()
	rep := &Report{ID: r.ID, CreatedAt: s.now().UTC().Truncate(time.Second), Params: p}
	var smp sampler // called from bench's one progress goroutine
	br, err := bench.Run(ctx, bench.Config{
		URL: url, AppID: appID, AppCert: cert,
		Subscribers: p.Clients, Channels: p.Channels,
		Rate:                   float64(p.Rate) / float64(p.Channels), // bench's rate is per channel
		Size:                   bench.MinPayloadBytes + p.PayloadBytes,
		Duration:               time.Duration(p.DurationSec) * time.Second,
		Grace:                  drainTimeout,
		ConnectConcurrency:     dialParallel,
		PublishFromSubscribers: true,
		AllowConnectFailures:   true,
		ProgressInterval:       sampleEvery,
		OnProgress:             func(pr bench.Progress) { smp.take(r, pr) },
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("sandbox: load test cancelled: %w", cerr)
		}
		return nil, fmt.Errorf("sandbox: load test: %w", err)
	}
	rep.Connected, rep.ConnectFailures = br.Connected, br.ConnectFailures
	rep.ConnectP50Ms, rep.ConnectMaxMs, rep.ConnectTotalMs = durMs(br.ConnectP50), durMs(br.ConnectMax), round2(br.ConnectMS)
	rep.Sent, rep.PublishErrors = int64(br.Sent), int64(br.PublishErrors)
	rep.Expected, rep.Delivered = int64(br.Expected), int64(br.Delivered)
	if rep.Expected > 0 {
		rep.DeliveryRate = round2(100 * float64(min(rep.Delivered, rep.Expected)) / float64(rep.Expected))
	}
	if rep.Delivered > 0 {
		rep.LatencyP50Ms, rep.LatencyP90Ms = round2(br.P50MS), round2(br.P90MS)
		rep.LatencyP99Ms, rep.LatencyMaxMs = round2(br.P99MS), round2(br.MaxMS)
	}
	pub := br.PublishTime.Seconds()
	rep.DurationSec = round2(pub)
	rep.PublishedPerSec = round2(float64(rep.Sent) / pub)
	rep.DeliveredPerSec = round2(float64(rep.Delivered) / pub)
	r.mu.Lock()
	rep.Samples = append([]Sample(nil), r.samples...)
	r.mu.Unlock()
	rep.judge()
	return rep, nil
}

// sampler adds the progress samples of one run. It drops an interval in
// which nothing was sent or delivered. (The bench takes its last point a
// whole interval after the drain: taken the moment the drain ended, often
// just after a tick, it repeated the tick's point with a p50 and p99 of 0,
// which showed as the p99 line falling to 0 and a bogus last row of the
// report.)
type sampler struct {
	taken           bool
	sent, delivered uint64
}

func (s *sampler) take(r *Run, p bench.Progress) {
	if s.taken && p.Interval.Count() == 0 && p.Sent == s.sent && p.Delivered == s.delivered {
		return
	}
	s.taken, s.sent, s.delivered = true, p.Sent, p.Delivered
	r.addSample(Sample{T: round2(p.Elapsed.Seconds()), Sent: int64(p.Sent), Delivered: int64(p.Delivered),
		P50Ms: durMs(p.Interval.Quantile(0.50)), P99Ms: durMs(p.Interval.Quantile(0.99))})
}

// durMs is d in milliseconds, rounded to two decimals.
func durMs(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }
