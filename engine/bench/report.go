package bench

import (
	"encoding/json"
	"io"
	"math"
	"time"
)

// Report is the result of a run, printed as one JSON line. The load-mode
// fields are always present (zero in idle mode); the idle fields only in
// idle mode.
type Report struct {
	// Sent is the number of publications the server accepted.
	Sent uint64 `json:"sent"`
	// Expected is the number of deliveries that should happen: for each
	// accepted publication, the number of subscribers of its channel.
	Expected uint64 `json:"expected"`
	// Delivered is the number of publications subscribers received
	// (each subscriber counted once per publication).
	Delivered uint64 `json:"delivered"`
	// DeliveryRate is Delivered/Expected (0 when nothing was expected).
	DeliveryRate float64 `json:"delivery_rate"`
	// DeliveriesPerSec is Delivered divided by the time from the first
	// publication to the last delivery.
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`
	// Latency percentiles from publish to receipt, in milliseconds.
	P50MS float64 `json:"p50_ms"`
	P90MS float64 `json:"p90_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	// ConnectMS is the time to connect and subscribe every client.
	ConnectMS float64 `json:"connect_ms"`
	// ServerRSSBytes is the server's resident memory at the end of the run,
	// read from /proc; 0 when the server's process is unknown (-url mode
	// without a PID).
	ServerRSSBytes int64 `json:"server_rss_bytes"`

	// Details for callers of Run, not in the JSON line.
	Connected       int           `json:"-"` // subscribers connected and subscribed
	ConnectFailures int           `json:"-"` // subscribers that failed (AllowConnectFailures)
	ConnectP50      time.Duration `json:"-"` // one subscriber's connect and subscribe
	ConnectMax      time.Duration `json:"-"`
	PublishErrors   uint64        `json:"-"` // publishes refused or unanswered
	PublishTime     time.Duration `json:"-"` // of the publishing phase, as measured

	// Idle mode only.
	IdleConnections   int   `json:"idle_connections,omitempty"`
	ServerRSSBaseline int64 `json:"server_rss_baseline_bytes,omitempty"`
	// BytesPerConn is (ServerRSSBytes - ServerRSSBaseline) / IdleConnections.
	BytesPerConn int64 `json:"bytes_per_conn,omitempty"`

	// Cut mode (Config.CutEvery) only.
	*RecoveryReport

	// With a webhook endpoint configured (bench -webhooks) only: the
	// deliveries its receiver accepted, and those whose signature did not
	// verify (refused with 400).
	WebhookEvents        *uint64 `json:"webhook_events,omitempty"`
	WebhookBadSignatures *uint64 `json:"webhook_bad_signatures,omitempty"`
}

// RecoveryReport is what a run with connection cuts (Config.CutEvery) adds
// to the report.
type RecoveryReport struct {
	// Cuts is the number of subscriber connections cut (a subscriber still
	// recovering from the previous cut is not cut again).
	Cuts uint64 `json:"cuts"`
	// Recoveries is the number of cuts after which the subscriber got a
	// message again; Unrecovered those still waiting at the end.
	Recoveries  uint64 `json:"recoveries"`
	Unrecovered uint64 `json:"recoveries_unfinished"`
	// RecoveriesIncomplete counts the SDK's resubscribes that reported
	// Recovered false (messages missed beyond the history window).
	RecoveriesIncomplete uint64 `json:"recoveries_incomplete"`
	// Time from a cut to the first message the subscriber got over its new
	// connection (recovered or live), the SDK's back-off included.
	RecoveryP50MS float64 `json:"recovery_p50_ms"`
	RecoveryP99MS float64 `json:"recovery_p99_ms"`
	RecoveryMaxMS float64 `json:"recovery_max_ms"`
	// Lost counts offsets the app never saw (gaps, and messages missing
	// after a subscriber's last one); Duplicated offsets it saw twice.
	Lost       uint64 `json:"lost"`
	Duplicated uint64 `json:"duplicated"`
}

// WriteJSON writes r as one line of JSON.
func (r Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

// ms converts a duration to milliseconds with µs precision.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// ratio returns a/b, or 0 when b is 0. It is not rounded, so 1 means
// exactly all.
func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
