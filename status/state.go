package status

import "time"

// State is the current state of a component or of the whole service.
type State string

// States, from best to worst; StateNoData means nothing was measured.
const (
	StateOperational State = "operational"
	StateDegraded    State = "degraded"
	StateOutage      State = "outage"
	StateNoData      State = "no_data"
)

// StateWindow returns how far back the current state looks: the probes
// started in the last max(1 minute, 3 × Interval), 6 probes at the
// default 10 s interval.
func (m *Monitor) StateWindow() time.Duration { return max(time.Minute, 3*m.cfg.Interval) }

// componentState judges one measured component from the recent probes
// (see StateWindow):
//   - no_data: no recent probe measured it;
//   - outage: every recent probe of it failed;
//   - degraded: some failed;
//   - operational: none failed.
func componentState(recent []Probe, c Component) State {
	var ok, failed int
	for i := range recent {
		switch recent[i].componentOutcome(c) {
		case OK:
			ok++
		case Failed:
			failed++
		}
	}
	switch {
	case ok+failed == 0:
		return StateNoData
	case ok == 0:
		return StateOutage
	case failed > 0:
		return StateDegraded
	}
	return StateOperational
}

// combinedState judges a group of measured components (the engine's three,
// or all for the overall state), ignoring components with no data while
// others have some (HTTP without a URL):
//   - no_data: none of them has data;
//   - outage: every one with data is in outage;
//   - degraded: any is degraded or in outage;
//   - operational: all are operational.
func combinedState(states ...State) State {
	var measured, outage, degraded int
	for _, s := range states {
		switch s {
		case StateNoData:
			continue
		case StateOutage:
			outage++
		case StateDegraded:
			degraded++
		}
		measured++
	}
	switch {
	case measured == 0:
		return StateNoData
	case outage == measured:
		return StateOutage
	case outage+degraded > 0:
		return StateDegraded
	}
	return StateOperational
}
