package status_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/db/dbtest"
	"github.com/switchboard-rtm/switchboard/status"
)

// store is a Monitor on a real database without an engine, fed with
// hand-made probes.
type store struct {
	t     testing.TB
	m     *status.Monitor
	clock *clock
}

func newStore(t testing.TB) *store {
	t.Helper()
	d := dbtest.Open(t)
	c := newClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	m, err := status.New(context.Background(), status.Config{DB: d, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &store{t: t, m: m, clock: c}
}

// add stores a probe at t; ok decides every component, latencies are the
// delivered messages' latencies (5 expected).
func (s *store) add(at time.Time, ok bool, latencies ...time.Duration) {
	s.t.Helper()
	o := status.OK
	if !ok {
		o = status.Failed
	}
	p := &status.Probe{At: at, Connect: o, Messaging: o, Peer: o, HTTP: o, ConnectTime: time.Millisecond,
		Sent: 5, Expected: 5, Delivered: len(latencies), Latencies: latencies}
	if err := s.m.InsertProbe(context.Background(), p); err != nil {
		s.t.Fatal(err)
	}
}

func (s *store) summary(now time.Time) status.Summary {
	s.t.Helper()
	sum, err := s.m.Summary(context.Background(), now)
	if err != nil {
		s.t.Fatal(err)
	}
	return sum
}

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func five(d time.Duration) []time.Duration { return []time.Duration{d, d, d, d, d} }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAvailabilityArithmetic(t *testing.T) {
	type probeAt struct {
		at string
		ok bool
	}
	type want struct {
		up, down, noData float64 // seconds
		avail            float64 // -1: null
	}
	const day = 86400.0
	tests := []struct {
		name   string
		probes []probeAt
		now    string
		h24    want
		bars   map[string]want // date -> bar
		d30    want
		d90    want
	}{{
		// Each probe stands for 10 s (the interval) or until the next one.
		name: "up, down, no-data seconds",
		probes: []probeAt{
			{"2026-11-25T12:00:00Z", true}, {"2026-11-25T12:00:30Z", true}, // 20 s up
			{"2026-11-25T12:01:00Z", true}, {"2026-11-25T12:01:50Z", false}, // 10 s up, 10 s down
			// 12:02 nothing: no data
			{"2026-11-25T12:03:10Z", false}, // 10 s down
		},
		now:  "2026-11-25T12:03:30Z",
		h24:  want{30, 20, day - 30 - 50, 0.6},
		bars: map[string]want{"2026-11-25": {30, 20, 12*3600 + 210 - 50, 0.6}, "2026-11-24": {0, 0, day, -1}},
		d30:  want{30, 20, 29*day + 12*3600 + 210 - 50, 0.6},
		d90:  want{30, 20, 89*day + 12*3600 + 210 - 50, 0.6},
	}, {
		name: "a probe's span stops at the next probe and crosses midnight",
		probes: []probeAt{
			{"2026-11-24T23:59:55Z", true}, // 5 s up on the 24th, 5 s on the 25th
			{"2026-11-25T00:00:05Z", false},
			{"2026-11-25T00:00:09Z", true}, // cuts the failed probe's span to 4 s
		},
		now:  "2026-11-25T00:01:30Z",
		h24:  want{20, 4, day - 30 - 24, 20.0 / 24},
		bars: map[string]want{"2026-11-24": {5, 0, day - 5, 1}, "2026-11-25": {15, 4, 90 - 19, 15.0 / 19}},
		d30:  want{20, 4, 29*day + 90 - 24, 20.0 / 24},
	}, {
		// The server was down from 12:00:10 to 12:00:50: no probe, so 40 s
		// of no data in that minute, never up.
		name: "a 40-second outage inside a minute is 40 s of no data",
		probes: []probeAt{
			{"2026-11-25T12:00:00Z", true},
			{"2026-11-25T12:00:50Z", true},
		},
		now:  "2026-11-25T12:01:00Z",
		h24:  want{20, 0, day - 60 - 20, 1},
		bars: map[string]want{"2026-11-25": {20, 0, 12*3600 + 60 - 20, 1}},
	}, {
		name: "the 90-day window starts at midnight 89 days back",
		probes: []probeAt{
			{"2026-08-27T23:59:50Z", false}, // day -90: outside
			{"2026-08-28T00:00:00Z", true},  // day -89: first bar
			{"2026-10-26T12:00:00Z", false}, // day -30: outside 30 d
			{"2026-10-27T00:00:00Z", true},  // day -29: first day of 30 d
		},
		now:  "2026-11-25T00:00:00Z",
		h24:  want{0, 0, day - 60, -1},
		bars: map[string]want{"2026-08-28": {10, 0, day - 10, 1}, "2026-10-26": {0, 10, day - 10, 0}},
		d30:  want{10, 0, 29*day - 10, 1},
		d90:  want{20, 10, 89*day - 30, 2.0 / 3},
	}, {
		name:   "nothing measured: no data, never up",
		probes: nil,
		now:    "2026-11-25T06:00:00Z",
		h24:    want{0, 0, day - 60, -1},
		bars:   map[string]want{"2026-11-25": {0, 0, 6 * 3600, -1}},
		d90:    want{0, 0, 89*day + 6*3600, -1},
	}}
	check := func(t *testing.T, what string, up, down, noData float64, avail *float64, w want) {
		t.Helper()
		if !near(up, w.up) || !near(down, w.down) || !near(noData, w.noData) || !near(val(avail), w.avail) {
			t.Errorf("%s: up/down/no data/availability = %v/%v/%v/%v s, want %v/%v/%v/%v", what, up, down, noData, val(avail), w.up, w.down, w.noData, w.avail)
		}
	}
	for _, tc := range tests {
		for _, rolled := range []bool{false, true} {
			name := tc.name
			if rolled {
				name += " (rolled up)"
			}
			t.Run(name, func(t *testing.T) {
				s := newStore(t)
				for _, p := range tc.probes {
					lat := five(ms(2))
					if !p.ok {
						lat = nil
					}
					s.add(at(p.at), p.ok, lat...)
				}
				now := at(tc.now)
				if rolled {
					if err := s.m.Rollup(context.Background(), now); err != nil {
						t.Fatal(err)
					}
				}
				sum := s.summary(now)
				for _, cs := range []status.ComponentStatus{sum.Overall, sum.Engine, component(sum, status.ComponentPeer)} {
					w := cs.Last24h
					check(t, string(cs.Component)+" 24h", w.UpSeconds, w.DownSeconds, w.NoDataSeconds, w.Availability, tc.h24)
					if sum := w.UpSeconds + w.DegradedSeconds + w.DownSeconds + w.NoDataSeconds; !near(sum, w.Seconds) {
						t.Errorf("24h seconds sum to %v, want the window's %v", sum, w.Seconds)
					}
				}
				o := sum.Overall
				if tc.d30 != (want{}) {
					check(t, "30d", o.Last30d.UpSeconds, o.Last30d.DownSeconds, o.Last30d.NoDataSeconds, o.Last30d.Availability, tc.d30)
				}
				if tc.d90 != (want{}) {
					check(t, "90d", o.Last90d.UpSeconds, o.Last90d.DownSeconds, o.Last90d.NoDataSeconds, o.Last90d.Availability, tc.d90)
				}
				if len(o.Days) != 90 || o.Days[89].Date != now.Format(time.DateOnly) {
					t.Fatalf("%d bars, last %s", len(o.Days), o.Days[len(o.Days)-1].Date)
				}
				for date, w := range tc.bars {
					found := false
					for _, b := range o.Days {
						if b.Date == date {
							found = true
							check(t, "bar "+date, b.UpSeconds, b.DownSeconds, b.NoDataSeconds, b.Availability, w)
						}
					}
					if !found {
						t.Errorf("no bar for %s", date)
					}
				}
			})
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestBarLevels(t *testing.T) {
	s := newStore(t)
	day := at("2026-11-20T00:00:00Z")
	// Each probe stands for 10 s. 2026-11-20: 2,000 s up, 10 s down: 99.5% -> degraded.
	for i := range 201 {
		s.add(day.Add(time.Duration(i)*time.Minute), i != 0)
	}
	// 2026-11-21: 100 s up, 10 s down: 90.9% -> down.
	for i := range 11 {
		s.add(day.Add(24*time.Hour+time.Duration(i)*time.Minute), i != 0)
	}
	// 2026-11-22: all up.
	s.add(day.Add(48*time.Hour), true)
	sum := s.summary(at("2026-11-25T12:00:00Z"))
	want := map[string]status.BarLevel{"2026-11-19": status.BarNoData, "2026-11-20": status.BarDegraded,
		"2026-11-21": status.BarDown, "2026-11-22": status.BarUp, "2026-11-25": status.BarNoData}
	for _, b := range sum.Overall.Days {
		if w, ok := want[b.Date]; ok && b.Level != w {
			t.Errorf("%s: level %s, want %s (bar %+v)", b.Date, b.Level, w, b)
		}
	}
}

// A probe stored after its minute was rolled up still counts: its span
// adds down time to the minute and its day.
func TestLateProbeAfterRollup(t *testing.T) {
	s := newStore(t)
	s.add(at("2026-11-25T12:00:00Z"), true, five(ms(1))...)
	if err := s.m.Rollup(context.Background(), at("2026-11-25T12:05:00Z")); err != nil {
		t.Fatal(err)
	}
	s.add(at("2026-11-25T12:00:40Z"), false)
	for _, roll := range []bool{false, true} {
		if roll {
			if err := s.m.Rollup(context.Background(), at("2026-11-25T12:06:00Z")); err != nil {
				t.Fatal(err)
			}
		}
		sum := s.summary(at("2026-11-25T12:06:00Z"))
		bar := sum.Overall.Days[89]
		if w := sum.Overall.Last24h; w.UpSeconds != 10 || w.DownSeconds != 10 || bar.UpSeconds != 10 || bar.DownSeconds != 10 || bar.ProbesOK != 1 || bar.ProbesFailed != 1 {
			t.Errorf("rolled=%v: 24h %v/%v s, bar %+v; want 10 s up and 10 s down", roll, w.UpSeconds, w.DownSeconds, bar)
		}
	}
}

// Roll-ups keep the figures while the raw probes and, after 30 days, the
// minutes are deleted; storage stays bounded.
func TestRollupRetention(t *testing.T) {
	s := newStore(t)
	start := at("2026-11-01T00:00:00Z")
	for i := range 3 * 60 {
		ok := i%60 != 7 // one down minute per hour, nothing delivered in it
		lat := five(ms(float64(1 + i%3)))
		if !ok {
			lat = nil
		}
		s.add(start.Add(time.Duration(i)*time.Minute), ok, lat...)
	}
	ctx := context.Background()
	count := func(table string) int {
		var n int
		if err := s.m.DB().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := at("2026-11-02T12:00:00Z")
	before := s.summary(now)
	if err := s.m.Rollup(ctx, now); err != nil {
		t.Fatal(err)
	}
	after := s.summary(now)
	if a, b := after.Overall.Last30d, before.Overall.Last30d; a.UpSeconds != 1770 || a.DownSeconds != 30 || a.UpSeconds != b.UpSeconds || a.DownSeconds != b.DownSeconds || val(a.P99Ms) != val(b.P99Ms) {
		t.Errorf("30d before/after rollup: %+v / %+v; want 1,770 s up, 30 s down, same", b, a)
	}
	if n := count("status_probes"); n != 180 {
		t.Errorf("raw probes after rollup within 48 h: %d, want 180", n)
	}
	// Three days later the raw probes are gone, the figures stay.
	now = at("2026-11-04T00:00:01Z")
	if err := s.m.Rollup(ctx, now); err != nil {
		t.Fatal(err)
	}
	if n := count("status_probes"); n != 0 {
		t.Errorf("raw probes older than 48 h: %d, want 0", n)
	}
	if n := count("status_minutes"); n != 180*6 {
		t.Errorf("minute rows: %d, want %d", n, 180*6)
	}
	// 31 days after 2026-11-01 the minutes are gone; the days remain and the
	// 90-day figures are unchanged.
	now = at("2026-12-02T00:00:00Z")
	if err := s.m.Rollup(ctx, now); err != nil {
		t.Fatal(err)
	}
	if n := count("status_minutes"); n != 0 {
		t.Errorf("minute rows after 30 days: %d, want 0", n)
	}
	if n := count("status_days"); n != 6 {
		t.Errorf("day rows: %d, want 6 (one day, six components)", n)
	}
	sum := s.summary(now)
	if w := sum.Overall.Last90d; w.UpSeconds != 1770 || w.DownSeconds != 30 || val(w.P99Ms) != val(before.Overall.Last30d.P99Ms) {
		t.Errorf("90d after minutes expired: %+v", w)
	}
	msg := component(sum, status.ComponentMessaging).Last90d
	if msg.Expected != 900 || msg.Delivered != 885 || val(msg.DeliveryRate) != 885.0/900 {
		t.Errorf("messaging 90d expected/delivered/rate = %d/%d/%v, want 900/885/0.9833", msg.Expected, msg.Delivered, val(msg.DeliveryRate))
	}
	// After 400 days the day rows go too.
	if err := s.m.Rollup(ctx, now.Add(401*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count("status_days"); n != 0 {
		t.Errorf("day rows after 400 days: %d, want 0", n)
	}
}

// Percentiles come from merged histograms, not averaged per minute or day.
func TestPercentilesMergedAcrossMinutesAndDays(t *testing.T) {
	s := newStore(t)
	// Day 1: 20 probes × 5 messages at 1 ms. Day 2: the same at 1 ms,
	// plus one probe whose 5 messages took 200 ms.
	d1, d2 := at("2026-11-23T10:00:00Z"), at("2026-11-24T10:00:00Z")
	for i := range 20 {
		s.add(d1.Add(time.Duration(i)*time.Minute), true, five(ms(1))...)
		s.add(d2.Add(time.Duration(i)*time.Minute), true, five(ms(1))...)
	}
	s.add(d2.Add(30*time.Minute), true, five(ms(200))...)
	now := at("2026-11-25T09:00:00Z")
	for _, roll := range []bool{false, true} {
		if roll {
			if err := s.m.Rollup(context.Background(), now); err != nil {
				t.Fatal(err)
			}
		}
		w := component(s.summary(now), status.ComponentMessaging).Last30d
		// 205 samples: rank ⌈0.99·205⌉ = 203 is one of the five 200 ms ones;
		// averaging the two days' p99 (1 ms and 200 ms) would say ~100 ms.
		if w.LatencySamples != 205 || val(w.P99Ms) < 200 || val(w.P99Ms) > 200*1.045 {
			t.Errorf("rolled=%v: samples %d, p99 %v ms; want 205 and 200-238 ms", roll, w.LatencySamples, val(w.P99Ms))
		}
		if val(w.P50Ms) < 1 || val(w.P50Ms) > 1.045 {
			t.Errorf("rolled=%v: p50 %v ms, want 1-1.045 ms", roll, val(w.P50Ms))
		}
	}
}
