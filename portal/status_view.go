package portal

import (
	"html/template"
	"strconv"
	"time"

	"github.com/switchboard-rtm/switchboard/status"
)

// The status page's view model: every figure of a status.Summary turned
// into the text the page shows, in the reader's language. Nothing here
// computes a figure; "no data" stays no data.

type statusPageData struct {
	State      status.State
	StateLabel string
	StateText  string

	GeneratedAt, GeneratedISO string
	MonitoringSince           string // "" before the first probe
	LastProbe, LastProbeISO   string
	Interval, StateWindow     string

	// Headline figures over the last 24 hours.
	Delivery, P50, P99 string // "" = no data

	Windows []statusWindowRow // overall, engine, then each component
	Nodes   []statusNodeRow   // the engine nodes probed one by one (none without -status-probe-urls)
	Bars    []statusBarRow    // each measured component
	SLA     []statusSLARow

	Incidents     []incidentView
	FaultMedian   string // "" without incidents
	FaultMax      string
	FaultCount    int
	Gaps          []statusGapView
	Staff         bool // set per request
	BarsHTML      template.HTML
	FeedURL       string
	APIURL        string
	TargetsDocURL string
}

// statusWindowRow is one component's availability over the three windows.
type statusWindowRow struct {
	Name       string
	State      status.State
	StateLabel string
	Cells      [3]statusCell // 24 h, 30 d, 90 d
}

// statusNodeRow is one engine node's row: its state now and its figures
// over the last 24 hours ("" = no data yet).
type statusNodeRow struct {
	Name, URL            string
	State                status.State
	StateLabel           string
	Avail, Delivery, P99 string
	Cross                string // cross-node delivery rate
	Probes               string // "3 of 9 probes succeeded"
}

// statusCell is one availability figure with its measured time.
type statusCell struct {
	Value  string // "" = no data
	Detail string // up, degraded, down and no-data time
}

type statusBarRow struct {
	ID, Name string
	Summary  string // "90 days: 85 up, …" (also the list's label)
	Avail90  string
	Days     []statusDay
}

type statusDay struct {
	Level     status.BarLevel
	Text      string // tooltip and accessible text
	Incidents int    // how many incidents touched the day
}

type statusSLARow struct {
	Name, Target, Measured, Window string
	Result                         string // status.ResultMet, ResultNotMet or ResultInsufficientData
	ResultLabel                    string
	Coverage                       string // "13 min of 30 d measured (0.03%)"
}

type statusGapView struct {
	Start, StartISO, End, EndISO, Length string
}

// buildStatusPage builds the page's figures; date formats instants in the
// reader's zone (view.Date).
func buildStatusPage(loc *localizer, lang string, date func(time.Time) string, sum *status.Summary) *statusPageData {
	d := &statusPageData{
		State:         sum.State,
		StateLabel:    loc.T("status.state_" + string(sum.State)),
		StateText:     loc.T("status.state_text_" + string(sum.State)),
		GeneratedAt:   date(sum.GeneratedAt),
		GeneratedISO:  isoTime(sum.GeneratedAt),
		Interval:      loc.Duration(seconds(sum.ProbeIntervalSeconds)),
		StateWindow:   loc.Duration(seconds(sum.StateWindowSeconds)),
		Delivery:      fmtPercent(sum.DeliveryRate24h),
		P50:           fmtMs(sum.LatencyP50Ms24h),
		P99:           fmtMs(sum.LatencyP99Ms24h),
		FeedURL:       statusFeedURL(lang),
		APIURL:        "/api/status",
		TargetsDocURL: "/" + lang + "/docs/status/measurement",
	}
	if sum.MonitoringSince != nil {
		d.MonitoringSince = date(*sum.MonitoringSince)
	}
	if sum.LastProbeAt != nil {
		d.LastProbe, d.LastProbeISO = date(*sum.LastProbeAt), isoTime(*sum.LastProbeAt)
	}
	rows := append([]status.ComponentStatus{sum.Overall, sum.Engine}, sum.Components...)
	for i := range rows {
		cs := &rows[i]
		r := statusWindowRow{Name: componentName(loc, cs.Component), State: cs.State,
			StateLabel: loc.T("status.state_" + string(cs.State))}
		for j, w := range []*status.Window{&cs.Last24h, &cs.Last30d, &cs.Last90d} {
			r.Cells[j] = statusCell{Value: fmtPercent(w.Availability),
				Detail: timeDetail(loc, w.UpSeconds, w.DegradedSeconds, w.DownSeconds, w.NoDataSeconds)}
		}
		d.Windows = append(d.Windows, r)
	}
	for _, n := range sum.Nodes {
		d.Nodes = append(d.Nodes, buildNodeRow(loc, n))
	}
	for i := range sum.Components {
		d.Bars = append(d.Bars, buildBarRow(loc, &sum.Components[i]))
	}
	for _, r := range sum.SLA {
		d.SLA = append(d.SLA, buildSLARow(loc, r))
	}
	for i := range sum.Incidents {
		d.Incidents = append(d.Incidents, buildIncidentView(loc, lang, date, &sum.Incidents[i]))
	}
	fr := sum.FaultResponse90d
	d.FaultCount = fr.Incidents
	if fr.MedianSeconds != nil {
		d.FaultMedian = loc.Duration(seconds(*fr.MedianSeconds))
	}
	if fr.MaxSeconds != nil {
		d.FaultMax = loc.Duration(seconds(*fr.MaxSeconds))
	}
	for _, g := range sum.Gaps {
		d.Gaps = append(d.Gaps, statusGapView{Start: date(g.Start), StartISO: isoTime(g.Start),
			End: date(g.End), EndISO: isoTime(g.End), Length: loc.Duration(seconds(float64(g.Seconds)))})
	}
	return d
}

func buildNodeRow(loc *localizer, n status.NodeStatus) statusNodeRow {
	w := n.Last24h
	r := statusNodeRow{Name: n.Name, URL: n.URL, State: n.State, StateLabel: loc.T("status.state_" + string(n.State)),
		Avail: fmtPercent(w.Availability), Delivery: fmtPercent(w.DeliveryRate), P99: fmtMs(w.P99Ms),
		Cross: fmtPercent(w.CrossDeliveryRate)}
	if total := w.ProbesOK + w.ProbesFailed; total > 0 {
		r.Probes = loc.T("status.node_probes", "OK", w.ProbesOK, "Count", total)
	}
	return r
}

func componentName(loc *localizer, c status.Component) string {
	return loc.T("status.component_" + string(c))
}

func buildBarRow(loc *localizer, cs *status.ComponentStatus) statusBarRow {
	r := statusBarRow{ID: string(cs.Component), Name: componentName(loc, cs.Component),
		Avail90: fmtPercent(cs.Last90d.Availability)}
	counts := map[status.BarLevel]int{}
	for _, day := range cs.Days {
		counts[day.Level]++
		var text string
		if day.Level == status.BarNoData {
			text = loc.T("status.bar_tip_no_data", "Date", day.Date)
		} else {
			avail := fmtPercent(day.Availability)
			if avail == "" {
				avail = loc.T("status.no_data")
			}
			text = loc.T("status.bar_tip", "Date", day.Date, "Level", loc.T("status.level_"+string(day.Level)),
				"Avail", avail, "Detail", timeDetail(loc, day.UpSeconds, day.DegradedSeconds, day.DownSeconds, day.NoDataSeconds))
		}
		if n := len(day.Incidents); n > 0 {
			text += " " + loc.T("status.bar_tip_incidents", "Count", n)
		}
		r.Days = append(r.Days, statusDay{Level: day.Level, Text: text, Incidents: len(day.Incidents)})
	}
	r.Summary = loc.T("status.bar_summary", "Name", r.Name, "Days", len(cs.Days),
		"Up", counts[status.BarUp], "Degraded", counts[status.BarDegraded],
		"Down", counts[status.BarDown], "NoData", counts[status.BarNoData])
	return r
}

func buildSLARow(loc *localizer, r status.SLAResult) statusSLARow {
	row := statusSLARow{Name: loc.T("status.sla_" + r.Name), Window: loc.T("status.window_" + r.Window)}
	if r.Unit == "ms" {
		row.Target = loc.T("status.at_most", "Value", fmtMs(&r.Target))
		row.Measured = fmtMs(r.Measured)
	} else {
		row.Target = loc.T("status.at_least", "Value", fmtTargetPercent(r.Target))
		row.Measured = fmtPercent(r.Measured)
	}
	row.Result = r.Result
	row.ResultLabel = loc.T("status.sla_result_" + row.Result)
	pct := r.Coverage
	row.Coverage = loc.T("status.sla_coverage", "Covered", loc.Duration(seconds(r.CoveredSeconds)),
		"Window", loc.Duration(seconds(r.WindowSeconds)), "Percent", fmtPercent(&pct))
	return row
}

// incidentView is an incident as the status and incident pages show it.
type incidentView struct {
	ID                  int64
	URL                 string
	Title               string
	Open                bool
	Severity            status.Severity
	SeverityLabel       string
	Status              status.IncidentStatus
	StatusLabel         string
	Components          []string
	Started, StartedISO string
	Resolved            string
	ResolvedISO         string
	FaultResponse       string
	Updates             []incidentUpdateView
}

type incidentUpdateView struct {
	Status      status.IncidentStatus
	StatusLabel string
	Message     string
	Author      string
	At, AtISO   string
}

func incidentURL(lang string, id int64) string {
	return "/" + lang + "/status/incidents/" + strconv.FormatInt(id, 10)
}

func buildIncidentView(loc *localizer, lang string, date func(time.Time) string, in *status.Incident) incidentView {
	v := incidentView{ID: in.ID, URL: incidentURL(lang, in.ID), Title: in.Title, Open: in.Open(),
		Severity: in.Severity, SeverityLabel: loc.T("status.severity_" + string(in.Severity)),
		Status: in.Status, StatusLabel: loc.T("status.incident_" + string(in.Status)),
		Started: date(in.StartedAt), StartedISO: isoTime(in.StartedAt),
		FaultResponse: loc.Duration(seconds(in.FaultResponseSeconds))}
	if in.ResolvedAt != nil {
		v.Resolved, v.ResolvedISO = date(*in.ResolvedAt), isoTime(*in.ResolvedAt)
	}
	for _, c := range in.Components {
		v.Components = append(v.Components, componentName(loc, c))
	}
	for _, u := range in.Updates {
		v.Updates = append(v.Updates, incidentUpdateView{Status: u.Status,
			StatusLabel: loc.T("status.incident_" + string(u.Status)), Message: u.Message,
			Author: u.AuthorName, At: date(u.CreatedAt), AtISO: isoTime(u.CreatedAt)})
	}
	return v
}

// StatusEnabled reports whether the status page is served (for the
// header's link).
func (v *view) StatusEnabled() bool { return v.srv != nil && v.srv.cfg.Status != nil }

// timeDetail says how a window's or day's time was judged; degraded time
// is named only when there is some.
func timeDetail(loc *localizer, up, degraded, down, noData float64) string {
	if degraded > 0 {
		return loc.T("status.time_detail_degraded", "Up", loc.Duration(seconds(up)), "Degraded", loc.Duration(seconds(degraded)),
			"Down", loc.Duration(seconds(down)), "NoData", loc.Duration(seconds(noData)))
	}
	return loc.T("status.time_detail", "Up", loc.Duration(seconds(up)), "Down", loc.Duration(seconds(down)), "NoData", loc.Duration(seconds(noData)))
}
