package portal

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/status"
)

// The status area: the public status page, its JSON twin, the incidents
// feed, and the staff forms that post incidents and their updates
// (status_incidents.go). The figures come from status.Monitor.Summary.

func init() {
	mapSentinel(status.ErrNotFound, http.StatusNotFound, "error.not_found")
	// A *status.ValidationError names its field: "status.invalid_<field>".
	mapSentinel(status.ErrInvalid, http.StatusBadRequest, "error.bad_request")
}

// statusCacheTTL is how long a computed Summary is served before it is
// computed again. Summary reads 90 days of roll-ups (about 40 ms); probes
// arrive every 10 s, so 5 s old figures lose nothing a reader could see.
const statusCacheTTL = 5 * time.Second

// statusCache keeps the latest Summary. Its mutex is held while a new one
// is computed, so that a burst of requests computes it once.
type statusCache struct {
	mu  sync.Mutex
	at  time.Time // when sum was computed (zero: never, or invalidated)
	sum status.Summary
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
	sc := &s.statusCache
	sc.mu.Lock()
	defer sc.mu.Unlock()
	now := s.cfg.Now()
	if age := now.Sub(sc.at); !sc.at.IsZero() && age >= 0 && age < statusCacheTTL {
		sum := sc.sum
		return &sum, nil
	}
	sum, err := s.cfg.Status.Summary(ctx, now)
	if err != nil {
		return nil, err
	}
	sc.sum, sc.at = sum, now
	return &sum, nil
}

// invalidateStatus drops the cached Summary, so that a posted incident or
// update shows at once.
func (s *Server) invalidateStatus() {
	s.statusCache.mu.Lock()
	s.statusCache.at = time.Time{}
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
	sum, err := s.statusSummary(c.Request().Context())
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/status")
	v.Title = v.T("status.title")
	v.Description = v.T("status.description")
	v.Section = "status"
	v.FeedURL = statusFeedURL(lang)
	v.Data = buildStatusPage(v.localizer, lang, sum, s.isStaff(c))
	return s.render(c, http.StatusOK, "status/index", v)
}

// statusFeedURL is the incidents feed in a language.
func statusFeedURL(lang string) string {
	if lang == "zh" {
		return "/status/feed.atom?lang=zh"
	}
	return "/status/feed.atom"
}
