package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/sandbox"
)

// maxSandboxBody bounds the JSON bodies of the sandbox API.
const maxSandboxBody = 4 << 10

// registerSandboxRoutes serves the sandbox: its JSON API, the load-test
// progress stream, the full-page sandbox, report permalinks and the
// sandboxed iframe that runs docs snippets.
func (s *Server) registerSandboxRoutes() {
	if s.cfg.Sandbox == nil {
		return
	}
	e := s.echo
	e.POST("/api/sandbox/apps", s.apiCreateSandboxApp)
	e.POST("/api/sandbox/apps/:id/loadtests", s.apiStartLoadTest)
	e.GET("/api/sandbox/loadtests/:id/events", s.loadTestEvents)
	e.GET("/api/sandbox/reports/:id", s.apiReportJSON)
	e.GET("/api/sandbox/reports/:id/csv", s.apiReportCSV)
	e.GET("/api/sandbox/config", s.apiSandboxConfig)
	e.GET("/sandbox/runner", s.sandboxRunner)
	g := e.Group("/:lang", validLang)
	g.GET("/sandbox", s.sandboxPage)
	g.GET("/sandbox/reports/:id", s.reportPage)
}

// readJSON decodes an optional JSON body (empty means zero v) of at most
// maxSandboxBody bytes.
func readJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxSandboxBody+1))
	if err != nil {
		return errBadRequest
	}
	if len(body) > maxSandboxBody {
		return newUserError(http.StatusRequestEntityTooLarge, "error.too_large")
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return newUserError(http.StatusBadRequest, "sandbox.error.bad_json")
	}
	return nil
}

// wsURL is the engine's WebSocket address as the browser reaches it.
func wsURL(c echo.Context) string {
	scheme := "ws"
	if c.IsTLS() || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "wss"
	}
	return scheme + "://" + c.Request().Host + "/v1/ws"
}

type createAppRequest struct {
	Users int `json:"users"`
}

type createAppResponse struct {
	sandbox.App
	WSURL string `json:"ws_url"`
}

// apiCreateSandboxApp: POST /api/sandbox/apps {"users": 2..10} →
// 201 {app_id, users:[{user_id, token}], ws_url, expires_at}.
func (s *Server) apiCreateSandboxApp(c echo.Context) error {
	var req createAppRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	app, err := s.cfg.Sandbox.CreateApp(c.Request().Context(), c.RealIP(), req.Users)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, createAppResponse{App: app, WSURL: wsURL(c)})
}

type startLoadTestResponse struct {
	ID        string `json:"id"`
	EventsURL string `json:"events_url"`
	ReportURL string `json:"report_url"`
	JSONURL   string `json:"json_url"`
	CSVURL    string `json:"csv_url"`
}

// apiStartLoadTest: POST /api/sandbox/apps/{id}/loadtests with
// LoadTestParams → 202 with the run's ID and its URLs.
func (s *Server) apiStartLoadTest(c echo.Context) error {
	var p sandbox.LoadTestParams
	if err := readJSON(c, &p); err != nil {
		return err
	}
	run, err := s.cfg.Sandbox.StartLoadTest(c.Request().Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	// The page says which language its report link should be in.
	lang := c.Request().Header.Get("X-Switchboard-Lang")
	if lang != "en" && lang != "zh" {
		lang = preferredLang(c.Request())
	}
	return c.JSON(http.StatusAccepted, startLoadTestResponse{
		ID:        run.ID,
		EventsURL: "/api/sandbox/loadtests/" + run.ID + "/events",
		ReportURL: "/" + lang + "/sandbox/reports/" + run.ID,
		JSONURL:   "/api/sandbox/reports/" + run.ID,
		CSVURL:    "/api/sandbox/reports/" + run.ID + "/csv",
	})
}

// loadTestEvents streams a run's progress as Server-Sent Events: "progress"
// events with a Sample, then one "done" event with the Report, or "failed"
// with {"message"}. A run that finished long ago answers "done" from its
// stored report.
func (s *Server) loadTestEvents(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	run, err := s.cfg.Sandbox.LoadTest(id)
	if err != nil {
		rep, rerr := s.cfg.Sandbox.Report(ctx, id)
		if rerr != nil {
			return err
		}
		return s.sse(c, func(emit func(string, any) error) error { return emit("done", rep) })
	}
	lang := preferredLang(c.Request())
	return s.sse(c, func(emit func(string, any) error) error {
		return run.Watch(ctx, func(ev sandbox.Event) error {
			switch ev.Type {
			case "progress":
				return emit("progress", ev.Sample)
			case "done":
				return emit("done", ev.Report)
			default:
				msg := s.localizer(lang).T("sandbox.error.lt_failed")
				return emit("failed", map[string]string{"message": msg})
			}
		})
	})
}

func (s *Server) sse(c echo.Context, body func(emit func(event string, v any) error) error) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	c.Response().Flush()
	emit := func(event string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.Response(), "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		c.Response().Flush()
		return nil
	}
	if err := body(emit); err != nil && !errors.Is(err, c.Request().Context().Err()) {
		s.log.WarnContext(c.Request().Context(), "sandbox events", "err", err)
	}
	return nil
}

func (s *Server) apiReportJSON(c echo.Context) error {
	rep, err := s.cfg.Sandbox.Report(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if c.QueryParam("download") != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="loadtest-`+rep.ID+`.json"`)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSONPretty(http.StatusOK, rep, "  ")
}

func (s *Server) apiReportCSV(c echo.Context) error {
	rep, err := s.cfg.Sandbox.Report(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="loadtest-`+rep.ID+`.csv"`)
	h.Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", rep.CSV())
}

// sandboxPage is the full-page sandbox.
func (s *Server) sandboxPage(c echo.Context) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/sandbox")
	v.Title = v.T("sandbox.title")
	v.Description = v.T("sandbox.description")
	v.Section = "sandbox"
	v.Data = s.sandboxData(lang)
	return s.render(c, http.StatusOK, "sandbox/index", v)
}

// sandboxData is what the sandbox's scripts need from the server: limits
// and every string they show.
func (s *Server) sandboxData(lang string) map[string]any {
	l := s.cfg.Sandbox.Limits()
	return map[string]any{
		"Limits": map[string]any{
			"max_clients":       l.MaxClients,
			"max_channels":      l.MaxChannels,
			"max_rate":          l.MaxRate,
			"max_payload_bytes": l.MaxPayloadBytes,
			"max_duration":      int(l.MaxDuration / time.Second),
			"max_users":         l.MaxUsers,
			"sla_p99_ms":        sandbox.SLALatencyP99Ms,
		},
		"Strings": s.sandboxStrings(lang),
		// Durations are the unit words of static/js/duration.js.
		"Durations": s.localizer(lang).durationUnits(),
	}
}

// apiSandboxConfig gives the "Try it" pane on docs pages what the full
// page embeds: limits and strings (GET /api/sandbox/config?lang=zh).
func (s *Server) apiSandboxConfig(c echo.Context) error {
	lang := c.QueryParam("lang")
	if lang != "en" && lang != "zh" {
		lang = preferredLang(c.Request())
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, s.sandboxData(lang))
}

// reportPage is a load-test report's permalink, readable without JS.
func (s *Server) reportPage(c echo.Context) error {
	lang := langOf(c)
	rep, err := s.cfg.Sandbox.Report(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/sandbox/reports/"+rep.ID)
	v.Title = v.T("sandbox.report.title")
	v.Section = "sandbox"
	v.NoIndex = true
	// The charts script reads the report and the strings from the page.
	data := s.sandboxData(lang)
	data["Report"] = rep
	v.Data = data
	return s.render(c, http.StatusOK, "sandbox/report", v)
}
