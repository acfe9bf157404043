package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

// every stores ok probes every 10 s in [from, to).
func (s *store) every(from, to time.Time, ok bool) {
	s.t.Helper()
	for t := from; t.Before(to); t = t.Add(10 * time.Second) {
		lat := five(ms(2))
		if !ok {
			lat = nil
		}
		s.add(t, ok, lat...)
	}
}

// putDay stores the roll-up of a fully measured UTC day as Rollup would
// (all components alike), with downMs of its measured time down: a month
// of probes would take too long to insert one by one.
func (s *store) putDay(day time.Time, downMs int64) {
	s.t.Helper()
	var h status.Histogram
	for range 100 {
		h.Add(2 * time.Millisecond)
	}
	for _, c := range []status.Component{status.ComponentConnect, status.ComponentMessaging, status.ComponentPeer,
		status.ComponentHTTP, status.ComponentEngine, status.ComponentOverall} {
		if _, err := s.m.DB().Exec(`INSERT INTO status_days (component, day, up_ms, down_ms, ok, failed, sent, expected, delivered, hist)
			VALUES (?, ?, ?, ?, 8640, 0, 100, 100, 100, ?)`, string(c), day.Unix(), 86400_000-downMs, downMs, h.Encode()); err != nil {
			s.t.Fatal(err)
		}
	}
}

func TestSLAJudgement(t *testing.T) {
	now := at("2026-11-25T00:00:00Z") // the 30 d window is the 29 days before
	tests := []struct {
		name     string
		fill     func(s *store)
		want     string  // availability's result
		coverage float64 // availability's coverage
	}{{
		name: "13 minutes of data",
		fill: func(s *store) { s.every(at("2026-11-24T23:47:00Z"), now, true) },
		want: status.ResultInsufficientData, coverage: 780.0 / (29 * 86400),
	}, {
		name: "26 of 29 days, under 90 percent",
		fill: func(s *store) {
			for i := range 26 {
				s.putDay(now.AddDate(0, 0, -1-i), 0)
			}
		},
		want: status.ResultInsufficientData, coverage: 26.0 / 29,
	}, {
		name: "27 of 29 days, all up",
		fill: func(s *store) {
			for i := range 27 {
				s.putDay(now.AddDate(0, 0, -1-i), 0)
			}
		},
		want: status.ResultMet, coverage: 27.0 / 29,
	}, {
		name: "27 of 29 days, 0.2 percent down",
		fill: func(s *store) {
			for i := range 27 {
				s.putDay(now.AddDate(0, 0, -1-i), map[bool]int64{true: 27 * 86400 * 2}[i == 3]) // 0.2% of 27 days, in ms
			}
		},
		want: status.ResultNotMet, coverage: 27.0 / 29,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			tc.fill(s)
			sum := s.summary(now)
			for _, r := range sum.SLA {
				want := tc.want
				if r.Name == "latency_p99" && tc.want == status.ResultNotMet {
					want = status.ResultMet // only availability was missed
				}
				if r.Name == "delivery_rate" && tc.want == status.ResultNotMet {
					want = status.ResultMet
				}
				if r.Result != want || !near(r.Coverage, tc.coverage) || r.WindowSeconds != 29*86400 {
					t.Errorf("%s: result %s, coverage %v of %v s; want %s, %v", r.Name, r.Result, r.Coverage, r.WindowSeconds, want, tc.coverage)
				}
			}
		})
	}
}

// Incidents count from start to resolution, on their components and on
// engine and overall: major as down, minor as degraded.
func TestIncidentsMarkDaysAndAvailability(t *testing.T) {
	ctx := context.Background()
	for _, roll := range []bool{false, true} {
		s := newStore(t)
		// Measured all up 10:00-10:30 on the 24th.
		s.every(at("2026-11-24T10:00:00Z"), at("2026-11-24T10:30:00Z"), true)
		incident := func(sev status.Severity, comp status.Component, from, to string) int64 {
			t.Helper()
			s.clock.Set(at(from))
			in, err := s.m.CreateIncident(ctx, status.NewIncident{Title: "Trouble", Severity: sev,
				Components: []status.Component{comp}, StartedAt: at(from),
				Update: status.NewUpdate{Status: status.Investigating, Message: "Looking.", AuthorID: 1, AuthorName: "Ann"}})
			if err != nil {
				t.Fatal(err)
			}
			if to != "" {
				s.clock.Set(at(to))
				if _, err := s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Resolved, Message: "Fixed.", AuthorID: 1, AuthorName: "Ann"}); err != nil {
					t.Fatal(err)
				}
			}
			return in.ID
		}
		major := incident(status.SeverityMajor, status.ComponentMessaging, "2026-11-24T10:10:00Z", "2026-11-24T10:20:00Z")
		minor := incident(status.SeverityMinor, status.ComponentPeer, "2026-11-24T10:05:00Z", "2026-11-24T10:15:00Z")
		// Open since 08:00 today with the prober not running: down all the same.
		open := incident(status.SeverityCritical, status.ComponentConnect, "2026-11-25T08:00:00Z", "")
		now := at("2026-11-25T09:00:00Z")
		if roll {
			if err := s.m.Rollup(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
		sum := s.summary(now)
		type want struct {
			level              status.BarLevel
			up, degraded, down float64
			avail              float64
			ids                []int64
		}
		bars := map[status.Component][2]want{ // the 24th, the 25th
			status.ComponentMessaging: {{status.BarDown, 1200, 0, 600, 2.0 / 3, []int64{major}}, {status.BarNoData, 0, 0, 0, -1, nil}},
			status.ComponentPeer:      {{status.BarDegraded, 1200, 600, 0, 1, []int64{minor}}, {status.BarNoData, 0, 0, 0, -1, nil}},
			status.ComponentHTTP:      {{status.BarUp, 1800, 0, 0, 1, nil}, {status.BarNoData, 0, 0, 0, -1, nil}},
			status.ComponentConnect:   {{status.BarUp, 1800, 0, 0, 1, nil}, {status.BarDown, 0, 0, 3600, 0, []int64{open}}},
			// 10:05-10:10 degraded (peer), 10:10-10:20 down (messaging; the
			// minor incident's last 5 minutes are inside it).
			status.ComponentEngine:  {{status.BarDown, 900, 300, 600, 2.0 / 3, []int64{minor, major}}, {status.BarDown, 0, 0, 3600, 0, []int64{open}}},
			status.ComponentOverall: {{status.BarDown, 900, 300, 600, 2.0 / 3, []int64{minor, major}}, {status.BarDown, 0, 0, 3600, 0, []int64{open}}},
		}
		all := append([]status.ComponentStatus{sum.Overall, sum.Engine}, sum.Components...)
		for _, cs := range all {
			for i, w := range bars[cs.Component] {
				b := cs.Days[88+i]
				if b.Level != w.level || !near(b.UpSeconds, w.up) || !near(b.DegradedSeconds, w.degraded) || !near(b.DownSeconds, w.down) ||
					!near(val(b.Availability), w.avail) || len(b.Incidents) != len(w.ids) {
					t.Errorf("rolled=%v %s %s: %s, up/degraded/down %v/%v/%v s, availability %v, incidents %v; want %s, %v/%v/%v, %v, %v",
						roll, cs.Component, b.Date, b.Level, b.UpSeconds, b.DegradedSeconds, b.DownSeconds, val(b.Availability), b.Incidents,
						w.level, w.up, w.degraded, w.down, w.avail, w.ids)
				}
				for j := range min(len(w.ids), len(b.Incidents)) {
					if b.Incidents[j] != w.ids[j] {
						t.Errorf("%s %s: incidents %v, want %v", cs.Component, b.Date, b.Incidents, w.ids)
					}
				}
			}
			// The windows add the same time up.
			w24 := cs.Last24h
			if sum := w24.UpSeconds + w24.DegradedSeconds + w24.DownSeconds + w24.NoDataSeconds; !near(sum, w24.Seconds) {
				t.Errorf("%s 24h: seconds add up to %v, want %v", cs.Component, sum, w24.Seconds)
			}
		}
		if e := sum.Engine.Last30d; !near(e.DownSeconds, 4200) || !near(e.UpSeconds, 900) || !near(e.DegradedSeconds, 300) || !near(val(e.Availability), 1200.0/5400) {
			t.Errorf("rolled=%v engine 30 d: up/degraded/down %v/%v/%v, availability %v; want 900/300/4200, 0.222",
				roll, e.UpSeconds, e.DegradedSeconds, e.DownSeconds, val(e.Availability))
		}
	}
}

// A major incident marks its day as down even when it is too short to
// bring the day's availability below 99%.
func TestShortMajorIncidentMarksDay(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.every(at("2026-11-24T10:00:00Z"), at("2026-11-24T12:00:00Z"), true)
	s.clock.Set(at("2026-11-24T11:00:00Z"))
	in, err := s.m.CreateIncident(ctx, status.NewIncident{Title: "Forum down", Severity: status.SeverityMajor,
		Components: []status.Component{status.ComponentHTTP},
		Update:     status.NewUpdate{Status: status.Investigating, Message: "Looking.", AuthorID: 1, AuthorName: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Set(at("2026-11-24T11:01:00Z"))
	if _, err := s.m.AddIncidentUpdate(ctx, in.ID, status.NewUpdate{Status: status.Resolved, Message: "Back.", AuthorID: 1, AuthorName: "Ann"}); err != nil {
		t.Fatal(err)
	}
	sum := s.summary(at("2026-11-24T13:00:00Z"))
	http := component(sum, status.ComponentHTTP)
	b := http.Days[89]
	if b.Level != status.BarDown || b.DownSeconds != 60 || b.UpSeconds != 7140 || !near(val(b.Availability), 7140.0/7200) {
		t.Errorf("HTTP bar %+v; want down, 7,140 s up and 60 s down", b)
	}
	if a := val(http.Last24h.Availability); !near(a, 7140.0/7200) {
		t.Errorf("HTTP 24 h availability %v, want %v", a, 7140.0/7200)
	}
	if b := component(sum, status.ComponentConnect).Days[89]; b.Level != status.BarUp || b.UpSeconds != 7200 {
		t.Errorf("connect bar %+v; want up, untouched by the HTTP incident", b)
	}
}
