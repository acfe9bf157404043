package portal

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/status"
)

// The status area: the public status page, its JSON twin, the incidents
// feed, and the staff forms that post incidents and their updates
// (status_incidents.go). The figures come from status.Monitor.Summary.

// statusCacheTTL is how long a computed Summary is served before it is
// computed again. Summary reads 90 days of roll-ups (about 40 ms); probes
// arrive every 10 s, so 5 s old figures lose nothing a reader could see.
const statusCacheTTL = 5 * time.Second

// statusCache keeps the latest Summary, and the page built from it per
// language (building the 360 bars' text and HTML costs more than the rest
// of the page). Its mutex is held while they are computed, so that a burst
// of requests computes them once.
type statusCache struct {
	mu    sync.Mutex
	at    time.Time // when sum was computed (zero: never, or invalidated)
	gen   uint64    // counts the Summaries computed, for statusStamp
	sum   status.Summary
	pages map[string]*statusPageData
}

func (s *Server) registerStatusRoutes() {
	if s.cfg.Status == nil {
		return
	}
	e := s.echo
	e.GET("/api/status", s.apiStatus)
	e.GET("/status/feed.atom", s.statusFeed)
	e.GET("/status/incidents/:id", s.incidentRedirect)
	g := e.Group("/:lang", validLang)
	g.GET("/status", s.statusPage)
	g.GET("/status/incidents/new", s.newIncidentForm)
	g.POST("/status/incidents", s.createIncident)
	g.GET("/status/incidents/:id", s.incidentPage)
	g.POST("/status/incidents/:id/updates", s.addIncidentUpdate)
}

// statusSummary returns the cached Summary, computing it when it is older
// than statusCacheTTL.
func (s *Server) statusSummary(ctx context.Context) (*status.Summary, error) {
	s.statusCache.mu.Lock()
	defer s.statusCache.mu.Unlock()
	return s.statusSummaryLocked(ctx)
}

func (s *Server) statusSummaryLocked(ctx context.Context) (*status.Summary, error) {
	sc := &s.statusCache
	now := s.cfg.Now()
	if age := now.Sub(sc.at); !sc.at.IsZero() && age >= 0 && age < statusCacheTTL {
		sum := sc.sum
		return &sum, nil
	}
	sum, err := s.cfg.Status.Summary(ctx, now)
	if err != nil {
		return nil, err
	}
	sc.sum, sc.at, sc.pages = sum, now, nil
	sc.gen++
	return &sum, nil
}

// statusPageFor returns the status page's data in v's language, built
// from the cached Summary. The result is shared: copy it before changing
// anything.
func (s *Server) statusPageFor(ctx context.Context, v *view) (*statusPageData, error) {
	sc := &s.statusCache
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sum, err := s.statusSummaryLocked(ctx)
	if err != nil {
		return nil, err
	}
	key := v.Lang + " " + v.ZoneName() // times are in the reader's zone
	if d := sc.pages[key]; d != nil {
		return d, nil
	}
	d := buildStatusPage(v.localizer, v.Lang, v.Date, sum)
	if d.BarsHTML, err = s.renderPartial("status/index", "status_bars", map[string]any{"Bars": d.Bars, "V": v}); err != nil {
		return nil, err
	}
	if sc.pages == nil {
		sc.pages = map[string]*statusPageData{}
	}
	sc.pages[key] = d
	return d, nil
}

// invalidateStatus drops the cached Summary, so that a posted incident or
// update shows at once.
func (s *Server) invalidateStatus() {
	s.statusCache.mu.Lock()
	s.statusCache.at, s.statusCache.pages = time.Time{}, nil
	s.statusCache.mu.Unlock()
}

// apiStatus serves the status page's figures as JSON: status.Summary as
// is (its fields are documented in package status).
func (s *Server) apiStatus(c echo.Context) error {
	sum, err := s.statusSummary(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=5")
	return c.JSON(http.StatusOK, sum)
}

// statusPage is the public status page: current state, availability,
// delivery, latency, SLA targets, 90-day bars, incidents and gaps.
func (s *Server) statusPage(c echo.Context) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/status")
	v.Title = v.T("status.title")
	v.Description = v.T("status.description")
	v.Section = "status"
	v.FeedURL = statusFeedURL(lang)
	figures, err := s.statusStamp(c.Request().Context())
	if err != nil {
		return err
	}
	prepare := func() error {
		shared, err := s.statusPageFor(c.Request().Context(), v)
		if err != nil {
			return err
		}
		d := *shared
		d.Staff = s.isStaff(c)
		v.Data = &d
		return nil
	}
	return s.serveAnon(c, "status:"+lang+":"+v.ZoneName(), s.anonStamp(figures), "status/index", v, prepare)
}

// statusStamp names the current Summary (computing it when it is stale),
// for the status page's cache stamp: a new Summary, or an invalidated one,
// has a new stamp.
func (s *Server) statusStamp(ctx context.Context) (string, error) {
	s.statusCache.mu.Lock()
	defer s.statusCache.mu.Unlock()
	if _, err := s.statusSummaryLocked(ctx); err != nil {
		return "", err
	}
	return strconv.FormatUint(s.statusCache.gen, 10), nil
}

// statusFeedURL is the incidents feed in a language.
func statusFeedURL(lang string) string {
	if lang == "zh" {
		return "/status/feed.atom?lang=zh"
	}
	return "/status/feed.atom"
}

// renderPartial executes the named template of page's template set into
// HTML, for parts cached across requests.
func (s *Server) renderPartial(page, name string, data any) (template.HTML, error) {
	tm, err := s.tmpl.get(page)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := tm.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // html/template escaped it
}
