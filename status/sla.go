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
	// Met is null when nothing was measured: no data is neither met nor
	// missed.
	Met *bool `json:"met"`
}

func slaResults(engine, messaging *ComponentStatus) []SLAResult {
	res := []SLAResult{
		{Name: "availability", Component: ComponentEngine, Target: TargetAvailability, Unit: "ratio",
			Measured: engine.Last30d.Availability},
		{Name: "delivery_rate", Component: ComponentMessaging, Target: TargetDeliveryRate, Unit: "ratio",
			Measured: messaging.Last30d.DeliveryRate},
		{Name: "latency_p99", Component: ComponentMessaging, Target: ms(TargetLatencyP99), Unit: "ms",
			Measured: messaging.Last30d.P99Ms},
	}
	for i := range res {
		r := &res[i]
		r.Window = SLAWindow
		if r.Measured == nil {
			continue
		}
		met := *r.Measured >= r.Target
		if r.Unit == "ms" {
			met = *r.Measured <= r.Target
		}
		r.Met = &met
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
