package sandbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// SLA targets from the "Support and SLA" docs page, against which every
// report is judged.
const (
	SLADeliveryPercent = 99.5 // at least this share of expected deliveries
	SLALatencyP99Ms    = 50.0 // end-to-end p99 under this, within one region
)

// Report is the result of a finished load test.
type Report struct {
	ID        string         `json:"id"`
	CreatedAt time.Time      `json:"created_at"`
	Params    LoadTestParams `json:"params"`

	Connected       int     `json:"clients_connected"`
	ConnectFailures int     `json:"connect_failures"`
	ConnectP50Ms    float64 `json:"connect_p50_ms"`
	ConnectMaxMs    float64 `json:"connect_max_ms"`
	ConnectTotalMs  float64 `json:"connect_total_ms"` // until every client was connected and subscribed

	Sent          int64   `json:"sent"`           // publications the engine accepted
	PublishErrors int64   `json:"publish_errors"` // publications refused (e.g. rate limited)
	Expected      int64   `json:"expected"`       // deliveries expected: each publication × subscribers of its channel
	Delivered     int64   `json:"delivered"`
	DeliveryRate  float64 `json:"delivery_rate_percent"`

	LatencyP50Ms float64 `json:"latency_p50_ms"`
	LatencyP90Ms float64 `json:"latency_p90_ms"`
	LatencyP99Ms float64 `json:"latency_p99_ms"`
	LatencyMaxMs float64 `json:"latency_max_ms"`

	PublishedPerSec float64 `json:"published_per_second"`
	DeliveredPerSec float64 `json:"delivered_per_second"`
	DurationSec     float64 `json:"duration_seconds"` // of the publishing phase, as measured

	SLA     SLAResult `json:"sla"`
	Samples []Sample  `json:"samples"`
}

// SLAResult sets a report against the SLA targets.
type SLAResult struct {
	DeliveryTargetPercent float64 `json:"delivery_target_percent"`
	LatencyP99TargetMs    float64 `json:"latency_p99_target_ms"`
	DeliveryMet           bool    `json:"delivery_met"`
	LatencyMet            bool    `json:"latency_met"`
}

// Sample is one progress point, sent while the test runs and kept in the
// report for its chart.
type Sample struct {
	T         float64 `json:"t"` // seconds since publishing started
	Sent      int64   `json:"sent"`
	Delivered int64   `json:"delivered"`
	P50Ms     float64 `json:"p50_ms"` // over the last interval
	P99Ms     float64 `json:"p99_ms"`
}

func (r *Report) judge() {
	r.SLA = SLAResult{DeliveryTargetPercent: SLADeliveryPercent, LatencyP99TargetMs: SLALatencyP99Ms}
	r.SLA.DeliveryMet = r.Expected > 0 && r.DeliveryRate >= SLADeliveryPercent
	r.SLA.LatencyMet = r.Delivered > 0 && r.LatencyP99Ms < SLALatencyP99Ms
}

func (s *Service) saveReport(ctx context.Context, r *Report) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("sandbox: save report: %w", err)
	}
	_, err = s.cfg.DB.ExecContext(ctx, `INSERT INTO sandbox_reports (id, created_at, report) VALUES (?, ?, ?)`,
		r.ID, r.CreatedAt.UnixMilli(), string(b))
	if err != nil {
		return fmt.Errorf("sandbox: save report: %w", err)
	}
	return nil
}

// Report returns a stored report, or ErrNotFound.
func (s *Service) Report(ctx context.Context, id string) (*Report, error) {
	var b string
	err := s.cfg.DB.QueryRowContext(ctx, `SELECT report FROM sandbox_reports WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &Error{Kind: ErrNotFound, ID: "sandbox.error.report_not_found", Msg: id}
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: report: %w", err)
	}
	var r Report
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		return nil, fmt.Errorf("sandbox: report %s: %w", id, err)
	}
	return &r, nil
}

// CSV renders the report as two-column "metric,value" rows followed by
// the progress samples, for spreadsheets.
func (r *Report) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := [][]string{
		{"metric", "value"},
		{"id", r.ID},
		{"created_at", r.CreatedAt.UTC().Format(time.RFC3339)},
		{"clients", i(int64(r.Params.Clients))},
		{"channels", i(int64(r.Params.Channels))},
		{"rate", i(int64(r.Params.Rate))},
		{"payload_bytes", i(int64(r.Params.PayloadBytes))},
		{"duration_seconds", i(int64(r.Params.DurationSec))},
		{"clients_connected", i(int64(r.Connected))},
		{"connect_failures", i(int64(r.ConnectFailures))},
		{"connect_p50_ms", f(r.ConnectP50Ms)},
		{"connect_max_ms", f(r.ConnectMaxMs)},
		{"connect_total_ms", f(r.ConnectTotalMs)},
		{"sent", i(r.Sent)},
		{"publish_errors", i(r.PublishErrors)},
		{"expected", i(r.Expected)},
		{"delivered", i(r.Delivered)},
		{"delivery_rate_percent", f(r.DeliveryRate)},
		{"latency_p50_ms", f(r.LatencyP50Ms)},
		{"latency_p90_ms", f(r.LatencyP90Ms)},
		{"latency_p99_ms", f(r.LatencyP99Ms)},
		{"latency_max_ms", f(r.LatencyMaxMs)},
		{"published_per_second", f(r.PublishedPerSec)},
		{"delivered_per_second", f(r.DeliveredPerSec)},
		{"sla_delivery_met", strconv.FormatBool(r.SLA.DeliveryMet)},
		{"sla_latency_met", strconv.FormatBool(r.SLA.LatencyMet)},
		{},
		{"t", "sent", "delivered", "p50_ms", "p99_ms"},
	}
	for _, s := range r.Samples {
		rows = append(rows, []string{f(s.T), i(s.Sent), i(s.Delivered), f(s.P50Ms), f(s.P99Ms)})
	}
	for _, row := range rows {
		if len(row) == 0 {
			w.Write([]string{""})
			continue
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}
