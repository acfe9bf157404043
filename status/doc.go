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
// # Engine nodes
//
// With Config.NodeURLs (a cluster's nodes), each run then probes every
// node on its own, all at once: the same engine checks with all clients on
// that node, and a cross-node check, in which a client on the next node of
// the list publishes Config.Messages messages that must all reach this
// node's subscriber within Config.ReceiveTimeout (skipped with one node or
// when nothing could be published there; that node's own row shows why).
// The results are stored per node in status_node_probes (kept
// RawRetention) and summarised as Summary.Nodes, one row per node: its
// current engine state and, over the last 24 hours, the share of its
// probes that succeeded, its delivery rate, its cross-node delivery rate
// and latency percentiles. Node rows do not feed the components, the bars
// or the SLA figures, which stay on the EngineURL probe.
//
// # Availability
//
// Time is measured in seconds (to the millisecond), per component. Each
// probe stands for a span of time: from its start until the next probe
// starts, but at most Interval (10 s), and never before the previous
// probe's span ends or after now. Its span is up time if the component
// succeeded in the probe and down time if it failed. Time in no probe's
// span is no data: the server or the prober was not running (a probe
// that should have come did not), or monitoring had not begun. A minute
// therefore counts only the part of it that was measured: a probe at
// :00 followed by none until :50 measures 10 s, and the 40 s between are
// no data, never up.
//
// Incidents count from their start until their resolution (or now, while
// open), on the components they name and on engine and overall, as
// statuspage.io counts a component's status: a major or critical incident
// makes its time down, measured or not; a minor one makes measured up
// time degraded (still available), and leaves down and no-data time as
// they were. Where an incident covers part of a minute (or, beyond the
// 30 days whose minutes are kept, of a day), the stored figures do not say
// when in it the measured time lay, so the incident is taken to cover the
// measured up time first: a figure never reads better than it was.
//
// Availability = (up + degraded) / (up + degraded + down). No-data time is
// shown separately and is in neither term: it never counts as up. With
// nothing measured the availability is null ("no data"), not 100%.
// Coverage = (up + degraded + down) / the window's length.
//
// Windows: "24 h" runs from the start of the minute 1,439 minutes before
// the current one until now; "30 d" and "90 d" are the last 30 and 90 UTC
// days, today included up to now. The 90 day bars are those UTC days,
// oldest first. A bar is "down" if a major or critical incident touched
// the day or its availability is below 99%, "degraded" if a minor
// incident touched it or it had any down time, "no_data" with nothing
// measured, and "up" otherwise.
//
// When the prober starts (Run, via CheckGap) and the last stored probe is
// more than 2 × Interval old, the time from when the next probe was due
// until now is recorded as a Gap (unknown time), listed in Summary.Gaps;
// it is no data.
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
// each reported value is its bucket's upper bound, at most ~4.4% above the
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
// (50 ms). A result is insufficient_data until at least MinCoverage (90%)
// of the window has measurements (the engine's coverage for availability,
// the time the probes measured for delivery and latency), and met or
// not_met after that; each result carries its coverage.
//
// # Storage
//
// Raw probes (status_probes) are rolled up by Rollup into per-minute
// (status_minutes) and per-day (status_days) rows, each with the measured
// up and down milliseconds, probe counts, message sums and a latency
// histogram; a probe is rolled up once its span is final. Raw probes are kept RawRetention
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
