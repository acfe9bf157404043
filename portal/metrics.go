package portal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *httpMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now, so its status is counted
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return nil
	}
}

func (s *Server) registerHealthRoutes() {
	s.echo.GET("/healthz", s.healthz)
	// The gzip middleware compresses the answer already: promhttp's own
	// compression made a scraper that sends Accept-Encoding: gzip get a
	// body gzipped twice under one Content-Encoding.
	s.echo.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{DisableCompression: true})))
}

// healthz answers 200 when the server is up and the database and every
// HealthCheck answer, else 503 naming what is down. Its first line is
// "ok" or "<dependency> unavailable"; a named node adds "node: NAME", and
// each check "<name>: ok".
func (s *Server) healthz(c echo.Context) error {
	ctx := c.Request().Context()
	if s.cfg.DB != nil {
		if err := s.cfg.DB.PingContext(ctx); err != nil {
			return c.String(503, "database unavailable\n"+s.nodeLine())
		}
	}
	var b strings.Builder
	for _, h := range s.cfg.Health {
		if err := h.Check(ctx); err != nil {
			s.log.WarnContext(ctx, "health check failed", "dependency", h.Name, "err", err)
			return c.String(503, h.Name+" unavailable\n"+s.nodeLine())
		}
		b.WriteString(h.Name + ": ok\n")
	}
	return c.String(200, "ok\n"+s.nodeLine()+b.String())
}

func (s *Server) nodeLine() string {
	if s.cfg.Node == "" {
		return ""
	}
	return "node: " + s.cfg.Node + "\n"
}

// registerNodeMetrics adds switchboard_node_info{node} (always 1) and,
// per health check, switchboard_dependency_up{dependency, node}.
func (s *Server) registerNodeMetrics() {
	if s.cfg.Node == "" {
		return
	}
	node := prometheus.Labels{"node": s.cfg.Node}
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "switchboard_node_info", Help: "The node's name, as a label (always 1).", ConstLabels: node})
	info.Set(1)
	s.reg.MustRegister(info)
	for _, h := range s.cfg.Health {
		s.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_dependency_up",
			Help:        "1 while the dependency answers its health check, else 0.",
			ConstLabels: prometheus.Labels{"node": s.cfg.Node, "dependency": h.Name}}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if h.Check(ctx) != nil {
				return 0
			}
			return 1
		}))
	}
}
