package portal

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// reportFilter reads ?weeks=N&category=slug&lang=en|zh.
func reportFilter(c echo.Context) (forum.ReportFilter, error) {
	f := forum.ReportFilter{Category: c.QueryParam("category"), Lang: c.QueryParam("lang")}
	if w := c.QueryParam("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil {
			return f, newUserError(http.StatusBadRequest, "sla.error.weeks_invalid", "Max", forum.MaxReportWeeks)
		}
		f.Weeks = n
	}
	return f, f.Normalize()
}

func (s *Server) report(c echo.Context) (*forum.Report, error) {
	f, err := reportFilter(c)
	if err != nil {
		return nil, err
	}
	return s.cfg.SLA.Report(c.Request().Context(), f)
}

// responseTimes is the public dashboard: it works without JavaScript (the
// chart is server-side SVG with a table of the same figures).
func (s *Server) responseTimes(c echo.Context) error {
	rep, err := s.report(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	cats, err := s.cfg.Forum.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, cat := range cats {
		names[cat.Slug] = cat.Name(lang)
	}
	v := s.newView(c, lang, "/community/response-times")
	v.Section = "forum"
	v.Title = v.T("sla.dash.title")
	v.Description = v.T("sla.dash.description")
	q := url.Values{}
	q.Set("weeks", strconv.Itoa(rep.Filter.Weeks))
	if rep.Filter.Category != "" {
		q.Set("category", rep.Filter.Category)
	}
	if rep.Filter.Lang != "" {
		q.Set("lang", rep.Filter.Lang)
	}
	v.Data = map[string]any{
		"Report": rep, "Summary": v.figures(rep.Summary), "Chart": v.weeklyChart(rep),
		"Weeks": v.groups(rep.Weeks, nil), "ByCategory": v.groups(rep.ByCategory, names), "ByLanguage": v.groups(rep.ByLanguage, nil),
		"Categories": cats, "Query": q.Encode(), "WeekChoices": []int{4, 12, 26, 52},
	}
	tickets, err := s.ticketRows(c.Request().Context(), v, rep.Filter.Weeks)
	if err != nil {
		return err
	}
	v.Data.(map[string]any)["Tickets"] = tickets
	return s.render(c, http.StatusOK, "sla/dashboard", v)
}

// figuresView is Figures formatted for a page.
type figuresView struct {
	forum.Figures
	Key, Label                            string
	MetPct, Median, P90, Oldest, Solution string
}

func (l *localizer) figures(f forum.Figures) figuresView {
	fv := figuresView{Figures: f, MetPct: "—", Median: "—", P90: "—", Oldest: "—", Solution: "—"}
	if !math.IsNaN(f.MetPct) {
		fv.MetPct = fmt.Sprintf("%.0f%%", f.MetPct)
	}
	pct := func(ok bool, d time.Duration, n int) string {
		if ok {
			return l.Duration(d)
		}
		if n > 0 {
			return l.T("sla.dash.not_reached")
		}
		return "—"
	}
	fv.Median = pct(f.MedianReached, f.Median, f.Counted())
	fv.P90 = pct(f.P90Reached, f.P90, f.Counted())
	if f.Waiting > 0 {
		fv.Oldest = l.Duration(f.OldestWait)
	}
	if f.Solved > 0 {
		fv.Solution = l.Duration(f.SolutionMedian)
	}
	return fv
}

func (l *localizer) groups(gs []forum.GroupFigures, names map[string]string) []figuresView {
	out := make([]figuresView, len(gs))
	for i, g := range gs {
		out[i] = l.figures(g.Figures)
		out[i].Key, out[i].Label = g.Key, g.Key
		if names != nil && names[g.Key] != "" {
			out[i].Label = names[g.Key]
		}
		if names == nil && (g.Key == "en" || g.Key == "zh") {
			out[i].Label = l.T("sla.lang." + g.Key)
		}
	}
	return out
}

// chartBar is one week of the server-side SVG chart.
type chartBar struct {
	X, Y, W, H   int
	LabelX       int
	Week, Value  string
	MetPct       string
	NotReached   bool
	TooltipTitle string
}

// chart is the weekly median chart: bars are the weeks' median business
// time to the first official response.
type chart struct {
	Width, Height, Base int
	Bars                []chartBar
	MaxLabel            string
}

func (l *localizer) weeklyChart(rep *forum.Report) chart {
	const width, height, top, base, gap = 720, 240, 20, 200, 6
	ch := chart{Width: width, Height: height, Base: base}
	var max time.Duration
	for _, w := range rep.Weeks {
		if w.MedianReached && w.Median > max {
			max = w.Median
		}
	}
	if max <= 0 {
		max = time.Hour
	}
	ch.MaxLabel = l.Duration(max)
	n := len(rep.Weeks)
	bw := (width - 40) / n
	for i, w := range rep.Weeks {
		f := l.figures(w.Figures)
		b := chartBar{X: 40 + i*bw + gap/2, W: bw - gap, Week: w.Start.Format("01-02"), Value: f.Median, MetPct: f.MetPct}
		b.LabelX = b.X + b.W/2
		switch {
		case w.MedianReached:
			b.H = int(float64(base-top) * float64(w.Median) / float64(max))
			if b.H < 1 {
				b.H = 1
			}
		case w.Counted() > 0:
			b.NotReached, b.H = true, base-top // waits past their due time: off the scale
		}
		b.Y = base - b.H
		b.TooltipTitle = l.T("sla.dash.chart_bar", "Week", w.Key, "Median", f.Median, "Met", f.MetPct, "Count", w.Topics)
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// responseTimesCSV exports the same figures, one row per scope.
func (s *Server) responseTimesCSV(c echo.Context) error {
	rep, err := s.report(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"scope", "key", "topics", "answered", "met", "met_late", "waiting", "waiting_breached", "left_out",
		"met_percent", "median_business_seconds", "p90_business_seconds", "oldest_wait_seconds", "solved", "solution_median_business_seconds"})
	row := func(scope, key string, f forum.Figures) {
		j := figuresJSONOf(f)
		opt := func(p *int64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatInt(*p, 10)
		}
		pct := ""
		if j.MetPercent != nil {
			pct = strconv.FormatFloat(*j.MetPercent, 'f', 1, 64)
		}
		w.Write([]string{scope, key, strconv.Itoa(f.Topics), strconv.Itoa(f.Answered), strconv.Itoa(f.Met), strconv.Itoa(f.MetLate),
			strconv.Itoa(f.Waiting), strconv.Itoa(f.WaitingBreached), strconv.Itoa(f.LeftOut), pct, opt(j.MedianSeconds), opt(j.P90Seconds),
			strconv.FormatInt(j.OldestWaitSeconds, 10), strconv.Itoa(f.Solved), opt(j.SolutionMedianSeconds)})
	}
	row("all", "", rep.Summary)
	for _, g := range rep.Weeks {
		row("week", g.Key, g.Figures)
	}
	for _, g := range rep.ByCategory {
		row("category", g.Key, g.Figures)
	}
	for _, g := range rep.ByLanguage {
		row("language", g.Key, g.Figures)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("response times csv: %w", err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="response-times.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// figuresJSON is Figures for the API: durations in seconds, null when a
// percentile is not reached or nothing is counted.
type figuresJSON struct {
	Topics                int      `json:"topics"`
	Answered              int      `json:"answered"`
	Met                   int      `json:"met"`
	MetLate               int      `json:"met_late"`
	Waiting               int      `json:"waiting"`
	WaitingBreached       int      `json:"waiting_breached"`
	LeftOut               int      `json:"left_out"`
	MetPercent            *float64 `json:"met_percent"`
	MedianSeconds         *int64   `json:"median_business_seconds"`
	P90Seconds            *int64   `json:"p90_business_seconds"`
	OldestWaitSeconds     int64    `json:"oldest_wait_seconds"`
	Solved                int      `json:"solved"`
	SolutionMedianSeconds *int64   `json:"solution_median_business_seconds"`
}

type groupJSON struct {
	Key string `json:"key"`
	figuresJSON
}

type reportJSON struct {
	Weeks       int         `json:"weeks"`
	Category    string      `json:"category,omitempty"`
	Lang        string      `json:"lang,omitempty"`
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	Summary     figuresJSON `json:"summary"`
	Weekly      []groupJSON `json:"weekly"`
	ByCategory  []groupJSON `json:"by_category"`
	ByLanguage  []groupJSON `json:"by_language"`
	Definitions string      `json:"definitions"`
	// Tickets: private support's public figures per plan and priority
	// (support_report.go); absent without support.
	Tickets []ticketRowJSON `json:"tickets,omitempty"`
}

func figuresJSONOf(f forum.Figures) figuresJSON {
	secs := func(ok bool, d time.Duration) *int64 {
		if !ok {
			return nil
		}
		v := int64(d / time.Second)
		return &v
	}
	j := figuresJSON{Topics: f.Topics, Answered: f.Answered, Met: f.Met, MetLate: f.MetLate, Waiting: f.Waiting,
		WaitingBreached: f.WaitingBreached, LeftOut: f.LeftOut, Solved: f.Solved,
		MedianSeconds: secs(f.MedianReached, f.Median), P90Seconds: secs(f.P90Reached, f.P90),
		OldestWaitSeconds: int64(f.OldestWait / time.Second), SolutionMedianSeconds: secs(f.Solved > 0, f.SolutionMedian)}
	if !math.IsNaN(f.MetPct) {
		p := math.Round(f.MetPct*10) / 10
		j.MetPercent = &p
	}
	return j
}

func groupsJSON(gs []forum.GroupFigures) []groupJSON {
	out := make([]groupJSON, len(gs))
	for i, g := range gs {
		out[i] = groupJSON{Key: g.Key, figuresJSON: figuresJSONOf(g.Figures)}
	}
	return out
}

// responseTimesJSON is GET /api/forum/response-times.
func (s *Server) responseTimesJSON(c echo.Context) error {
	rep, err := s.report(c)
	if err != nil {
		return err
	}
	tickets, err := s.ticketsJSON(c.Request().Context(), rep.Filter.Weeks)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reportJSON{Tickets: tickets, Weeks: rep.Filter.Weeks, Category: rep.Filter.Category, Lang: rep.Filter.Lang,
		From: rep.From, To: rep.To, Summary: figuresJSONOf(rep.Summary), Weekly: groupsJSON(rep.Weeks),
		ByCategory: groupsJSON(rep.ByCategory), ByLanguage: groupsJSON(rep.ByLanguage),
		Definitions: "/en/docs/support-sla"})
}
