// Package status measures Switchboard's real-time engine from the
// outside, stores the measurements in SQLite, and computes the figures of
// the status page and GET /api/status. It also keeps the incidents staff
// post. It knows nothing of HTTP pages; the portal renders Summary.
//
// # Probing
//
// Every Config.Interval (10 s by default) Monitor.Run runs one probe with
// the Go SDK against the engine's public WebSocket endpoint, the same path
// a real client takes. The probe connects two users of an internal probe
// app with freshly minted tokens, subscribes the first to a channel,
// publishes Config.Messages (5) messages from the second, waits for them,
// and sends a peer message from the first user to the second. It also
// fetches Config.HTTPURL. Each probe stores, per component, ok or failed:
//
//   - engine_connect: both WebSocket connects and token checks succeeded;
//   - messaging: subscribe worked, every publish was accepted, and every
//     accepted message reached the subscriber within Config.ReceiveTimeout
//     (2 s);
//   - peer_messages: the receipt said "delivered" and the message arrived
//     within Config.ReceiveTimeout;
//   - docs_forum_http: the GET answered 2xx (not probed without a URL).
//
// A failed connect also fails messaging and peer messages: no client could
// use them. Two derived components are computed per probe: engine (all
// three engine components ok) and overall (every probed component ok).
//
// # Availability
//
// Time is counted in whole UTC minutes, per component:
//
//   - an up minute is one in which at least one probe started and every
//     probe started in it succeeded;
//   - a down minute is one in which at least one probe failed;
//   - a no-data minute is one in which no probe started: the server or the
//     prober was not running, or monitoring had not begun.
//
// Availability = up minutes / (up minutes + down minutes). No-data minutes
// are shown separately and are in neither term: they never count as up.
// With no up or down minute the availability is null ("no data"), not 100%.
//
// Windows: "24 h" is the 1,440 minutes ending with the current one; "30 d"
// and "90 d" are the last 30 and 90 UTC days, today included up to the
// current minute. The 90 day bars are those UTC days, oldest first. A bar
// is "up" without down minutes, "degraded" at an availability of at least
// 99%, "down" below that, and "no_data" without up or down minutes.
//
// When the prober starts (Run, via CheckGap) and the last stored probe is
// more than 2 × Interval old, the time from when the next probe was due
// until now is recorded as a Gap (unknown time), listed in Summary.Gaps;
// its minutes are no-data minutes.
//
// # Messages and latency
//
// Delivery rate = delivered / expected, where expected counts the probe
// messages the engine accepted (each is expected once, by the one
// subscriber) and delivered those that arrived within ReceiveTimeout.
// Publishes the engine refused fail the messaging component but are not
// in the delivery rate.
//
// Latency is publish→receipt: from just before the publish request is
// sent to the subscriber's handler, on one process's monotonic clock.
// Percentiles (p50, p99) come from fixed logarithmic histograms (see
// Histogram) that are added up across minutes and days, never averaged;
// each reported value is its bucket's upper bound, at most ~19% above the
// exact percentile and never below it. The same histograms give the
// connect time (engine_connect) and the HTTP response time.
//
// # Current state
//
// A component's state comes from the probes started in the last
// StateWindow (max(1 minute, 3 × Interval)): operational if none failed,
// degraded if some failed, outage if all failed, no_data if there were
// none. The engine and overall states combine their components: no_data
// if none has data, outage if every one with data is in outage, degraded
// if any is degraded or in outage, operational otherwise.
//
// # Targets
//
// SLA results compare the 30 d figures with TargetAvailability (99.9%, on
// the engine component), TargetDeliveryRate (99.5%) and TargetLatencyP99
// (50 ms); "met" is null when nothing was measured.
//
// # Storage
//
// Raw probes (status_probes) are rolled up by Rollup into per-minute
// (status_minutes) and per-day (status_days) rows, each with probe counts,
// message sums and a latency histogram. Raw probes are kept RawRetention
// (48 h), minutes MinuteRetention (30 days), days and gaps DayRetention
// (400 days). Summary adds probes not yet rolled up, so its figures do not
// depend on when Rollup last ran.
//
// # Incidents
//
// Staff post an incident with a title, severity, components and start
// time, together with its first update; later updates move it through
// investigating, identified, monitoring and resolved. The fault response
// time is the first update's time minus the incident's start. The portal
// checks that the author is staff.
package status
