package portal

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/usage"
)

// An app's usage and health: a page of tables (readable without
// JavaScript) with uPlot charts on top, and the same series as JSON or
// CSV at /api/console/apps/{id}/usage for the app's team members only.

func (s *Server) registerConsoleUsageRoutes(g *echo.Group) {
	if s.cfg.Usage == nil {
		return
	}
	g.GET("/apps/:app/usage", s.consoleUsagePage)
	api := s.echo.Group("/api/console", s.consoleAPIActor)
	api.GET("/apps/:app/usage", s.consoleUsageAPI)
}

// consoleAPIActor is consoleActor for the JSON API: without a session the
// answer is 404 too, so an App ID cannot be probed.
func (s *Server) consoleAPIActor(next echo.HandlerFunc) echo.HandlerFunc {
	inner := s.consoleActor(next)
	return func(c echo.Context) error {
		if viewer(c) == nil {
			return errNotFound
		}
		return inner(c)
	}
}

// usageWindow reads ?window= (48h by default).
func usageWindow(c echo.Context) (string, error) {
	switch w := c.QueryParam("window"); w {
	case "", usage.Window48h:
		return usage.Window48h, nil
	case usage.Window30d:
		return w, nil
	}
	return "", errBadRequest
}

// usageSeries reads the app's usage series for the request's window.
func (s *Server) usageSeries(c echo.Context, appID string) (string, usage.Series, error) {
	window, err := usageWindow(c)
	if err != nil {
		return "", usage.Series{}, err
	}
	ser, err := s.cfg.Usage.Series(c.Request().Context(), appID, window)
	return window, ser, err
}

func (s *Server) consoleUsageAPI(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.Authorize(ctx, c.Param("app"), console.ActViewApp)
	if err != nil {
		return err
	}
	_, ser, err := s.usageSeries(c, app.ID)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		return writeUsageCSV(c, app.ID, &ser)
	}
	return c.JSON(http.StatusOK, ser)
}

// writeUsageCSV writes one row per period.
func writeUsageCSV(c echo.Context, appID string, ser *usage.Series) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="usage-`+appID+`-`+ser.Window+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	w.Write([]string{"start_utc", "connections", "peak_connections", "new_connections", "publishes", "deliveries_due", "deliveries",
		"delivery_rate", "p50_ms", "p99_ms", "peer_delivered", "peer_stored", "peer_failed", "history_requests", "errors"})
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for i, t := range ser.T {
		w.Write([]string{time.Unix(t, 0).UTC().Format(time.RFC3339), i64(ser.Conns[i]), i64(ser.Peak[i]), i64(ser.NewConns[i]),
			i64(ser.Publishes[i]), i64(ser.Due[i]), i64(ser.Delivered[i]), opt(ser.DeliveryRate[i]), opt(ser.P50[i]), opt(ser.P99[i]),
			i64(ser.PeerDelivered[i]), i64(ser.PeerStored[i]), i64(ser.PeerFailed[i]), i64(ser.History[i]), i64(ser.Errors[i])})
	}
	w.Flush()
	return w.Error()
}

// usageData is what templates/pages/console/usage.html shows.
type usageData struct {
	App      console.App
	Window   string
	Series   usage.Series
	Rows     []usageRow // newest first, at most 120
	Rate     *float64   // the window's delivery rate
	P50, P99 *float64
	Interval time.Duration
	APIURL   string
	// SDKs is the census, rated by the changelog (console_census.go).
	SDKs sdkCensus
}

type usageRow struct {
	T                                time.Time
	Conns, Peak, New, Pubs, Due, Del int64
	Rate, P50, P99                   *float64
	Errors                           int64
}

func (s *Server) consoleUsagePage(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := s.cfg.Console.App(ctx, c.Param("app"))
	if err != nil {
		return err
	}
	window, ser, err := s.usageSeries(c, app.ID)
	if err != nil {
		return err
	}
	rules, err := s.sdkRules(ctx, langOf(c))
	if err != nil {
		return err
	}
	d := &usageData{App: app, Window: window, Series: ser, Interval: s.cfg.Usage.Interval(),
		APIURL: "/api/console/apps/" + app.ID + "/usage?window=" + window, SDKs: rateSDKs(ser.SDKs, rules, langOf(c))}
	for i := len(ser.T) - 1; i >= 0 && len(d.Rows) < 120; i-- {
		d.Rows = append(d.Rows, usageRow{T: time.Unix(ser.T[i], 0), Conns: ser.Conns[i], Peak: ser.Peak[i], New: ser.NewConns[i],
			Pubs: ser.Publishes[i], Due: ser.Due[i], Del: ser.Delivered[i], Rate: ser.DeliveryRate[i], P50: ser.P50[i], P99: ser.P99[i],
			Errors: ser.Errors[i]})
	}
	if r, ok := ser.Total.DeliveryRate(); ok {
		d.Rate = &r
	}
	for _, q := range []struct {
		q float64
		p **float64
	}{{0.5, &d.P50}, {0.99, &d.P99}} {
		if v, ok := ser.Total.Latency.Quantile(q.q); ok {
			ms := float64(v) / float64(time.Millisecond)
			*q.p = &ms
		}
	}
	v := s.consoleView(c, "/console/apps/"+app.ID+"/usage", "console.usage.title", "Name", app.Name)
	v.Data = d
	return s.render(c, http.StatusOK, "console/usage", v)
}
