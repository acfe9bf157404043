package usage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Windows the console offers: per minute over 48 hours, per hour over 30
// days.
const (
	Window48h = "48h"
	Window30d = "30d"
)

// ErrInvalid is a window that is neither.
var ErrInvalid = errors.New("usage: window must be 48h or 30d")

// Series is an app's usage over a window, one entry per stored period
// (periods with no activity are absent), oldest first, in the column
// form charts take. Rates and latencies are nil where nothing was due.
type Series struct {
	Window        string     `json:"window"`
	Step          int64      `json:"step_seconds"`
	T             []int64    `json:"t"`
	Conns         []int64    `json:"connections"`
	Peak          []int64    `json:"peak_connections"`
	NewConns      []int64    `json:"new_connections"`
	Publishes     []int64    `json:"publishes"`
	Due           []int64    `json:"deliveries_due"`
	Delivered     []int64    `json:"deliveries"`
	DeliveryRate  []*float64 `json:"delivery_rate"`
	P50           []*float64 `json:"p50_ms"`
	P99           []*float64 `json:"p99_ms"`
	PeerDelivered []int64    `json:"peer_delivered"`
	PeerStored    []int64    `json:"peer_stored"`
	PeerFailed    []int64    `json:"peer_failed"`
	History       []int64    `json:"history_requests"`
	Errors        []int64    `json:"errors"`
	// Totals over the window.
	Total Period `json:"-"`
	// DisconnectsByCode, ErrorsByCode and SDKs are the window's totals
	// (SDKs: the most connections at once per SDK version).
	DisconnectsByCode map[string]int64 `json:"disconnects_by_code"`
	ErrorsByCode      map[string]int64 `json:"errors_by_code"`
	SDKs              map[string]int64 `json:"sdks"`
}

// Series returns the app's usage over window (Window48h or Window30d),
// ending now.
func (s *Service) Series(ctx context.Context, appID, window string) (Series, error) {
	var step int64
	var span time.Duration
	out := Series{Window: window}
	switch window {
	case Window48h:
		step, span = stepMinute, 48*time.Hour
	case Window30d:
		step, span = stepHour, 30*24*time.Hour
	default:
		return Series{}, ErrInvalid
	}
	out.Step = step
	from := s.cfg.Now().Add(-span).Unix()
	rows, err := s.db.QueryContext(ctx, `SELECT `+periodColumns+` FROM usage_periods WHERE app_id = ? AND step = ? AND t >= ? ORDER BY t`, appID, step, from)
	if err != nil {
		return Series{}, fmt.Errorf("usage series: %w", err)
	}
	defer rows.Close()
	ms := func(p *Period, q float64) *float64 {
		d, ok := p.Latency.Quantile(q)
		if !ok {
			return nil
		}
		v := float64(d) / float64(time.Millisecond)
		return &v
	}
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return Series{}, fmt.Errorf("usage series: %w", err)
		}
		out.T = append(out.T, p.T)
		out.Conns = append(out.Conns, p.Conns)
		out.Peak = append(out.Peak, p.Peak)
		out.NewConns = append(out.NewConns, p.NewConns)
		out.Publishes = append(out.Publishes, p.Publishes)
		out.Due = append(out.Due, p.Due)
		out.Delivered = append(out.Delivered, p.Delivered)
		var rate *float64
		if r, ok := p.DeliveryRate(); ok {
			rate = &r
		}
		out.DeliveryRate = append(out.DeliveryRate, rate)
		out.P50 = append(out.P50, ms(&p, 0.5))
		out.P99 = append(out.P99, ms(&p, 0.99))
		out.PeerDelivered = append(out.PeerDelivered, p.PeerDelivered)
		out.PeerStored = append(out.PeerStored, p.PeerStored)
		out.PeerFailed = append(out.PeerFailed, p.PeerFailed)
		out.History = append(out.History, p.History)
		out.Errors = append(out.Errors, p.ErrorCount())
		out.Total.merge(&p)
	}
	if err := rows.Err(); err != nil {
		return Series{}, fmt.Errorf("usage series: %w", err)
	}
	out.DisconnectsByCode, out.ErrorsByCode, out.SDKs = nonNil(out.Total.Disconnects), nonNil(out.Total.Errors), nonNil(out.Total.SDKs)
	return out, nil
}

func nonNil(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// Keys returns m's keys sorted, for tables.
func Keys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
