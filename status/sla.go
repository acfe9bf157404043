package status

import "time"

// Service-level targets the measured figures are compared with. They are
// the targets published on the Support and SLA docs page.
const (
	// TargetAvailability: the engine (connect, messaging and peer messages
	// all working) is available 99.9% of measured time.
	TargetAvailability = 0.999
	// TargetDeliveryRate: at least 99.5% of the messages the engine
	// accepted reach their subscriber within Config.ReceiveTimeout.
	TargetDeliveryRate = 0.995
	// TargetLatencyP99 is the ceiling for the 99th percentile of
	// publish→receipt latency. 50 ms is the docs' "within one region"
	// promise: the prober runs in the same region as the engine (on the
	// same host it only crosses loopback), so anything slower is the
	// engine's own queueing, not the network. Ably's published target
	// (p99 < 65 ms, measured from its points of presence) includes a
	// network hop we do not have, so ours is tighter.
	TargetLatencyP99 = 50 * time.Millisecond
)

// SLAWindow is the window the targets are judged on: Last30d, the 30 UTC
// days up to now (the targets are promised per month).
const SLAWindow = "30d"

// MinCoverage is the share of the SLA window that must have measurements
// before a target is judged: below it the result is insufficient_data. 13
// minutes of data are no evidence about a month.
const MinCoverage = 0.9

// Results of a target.
const (
	ResultMet              = "met"
	ResultNotMet           = "not_met"
	ResultInsufficientData = "insufficient_data"
)

// SLAResult compares one measured figure with its target.
type SLAResult struct {
	// Name is "availability", "delivery_rate" or "latency_p99".
	Name      string    `json:"name"`
	Component Component `json:"component"`
	// Target and Measured are ratios in [0, 1] for availability and
	// delivery_rate, milliseconds for latency_p99.
	Target   float64  `json:"target"`
	Measured *float64 `json:"measured"` // null: nothing measured in the window
	Unit     string   `json:"unit"`     // "ratio" or "ms"
	Window   string   `json:"window"`   // SLAWindow
	// Coverage is the share of the window with measurements, in [0, 1]:
	// the component's Coverage for availability (incident time included),
	// the time the probes measured for delivery_rate and latency_p99.
	Coverage float64 `json:"coverage"`
	// CoveredSeconds and WindowSeconds are Coverage's two terms.
	CoveredSeconds float64 `json:"covered_seconds"`
	WindowSeconds  float64 `json:"window_seconds"`
	// Result is ResultInsufficientData while Coverage is below MinCoverage
	// or nothing was measured, else ResultMet or ResultNotMet.
	Result string `json:"result"`
}

func slaResults(engine, messaging *ComponentStatus) []SLAResult {
	e, msg := &engine.Last30d, &messaging.Last30d
	res := []SLAResult{
		{Name: "availability", Component: ComponentEngine, Target: TargetAvailability, Unit: "ratio",
			Measured: e.Availability, CoveredSeconds: secs((e.UpSeconds + e.DegradedSeconds + e.DownSeconds) * 1000), WindowSeconds: e.Seconds},
		{Name: "delivery_rate", Component: ComponentMessaging, Target: TargetDeliveryRate, Unit: "ratio",
			Measured: msg.DeliveryRate, CoveredSeconds: msg.ProbedSeconds, WindowSeconds: msg.Seconds},
		{Name: "latency_p99", Component: ComponentMessaging, Target: ms(TargetLatencyP99), Unit: "ms",
			Measured: msg.P99Ms, CoveredSeconds: msg.ProbedSeconds, WindowSeconds: msg.Seconds},
	}
	for i := range res {
		r := &res[i]
		r.Window = SLAWindow
		if r.WindowSeconds > 0 {
			r.Coverage = min(1, r.CoveredSeconds/r.WindowSeconds)
		}
		switch {
		case r.Measured == nil || r.Coverage < MinCoverage:
			r.Result = ResultInsufficientData
		case r.Unit == "ms" && *r.Measured <= r.Target, r.Unit != "ms" && *r.Measured >= r.Target:
			r.Result = ResultMet
		default:
			r.Result = ResultNotMet
		}
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
