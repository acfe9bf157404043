package portal

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// sandboxRunner serves the page that docs "Run" buttons load into an
// <iframe sandbox="allow-scripts">: without allow-same-origin it runs in an
// opaque origin, so a snippet cannot read the portal's cookies, storage or
// DOM. Its own CSP allows what running a snippet needs and nothing the
// portal's pages allow: scripts from this origin and blob: (the snippet is
// imported as a blob module), WebSockets to this host, and framing by
// this origin only. The portal pages' CSP is not loosened.
func (s *Server) sandboxRunner(c echo.Context) error {
	origin := "http://" + c.Request().Host
	ws := "ws://" + c.Request().Host
	if c.IsTLS() || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
		origin, ws = "https://"+c.Request().Host, "wss://"+c.Request().Host
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src "+origin+" blob:; connect-src "+origin+" "+ws+
		"; style-src "+origin+"; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", "text/html; charset=utf-8")
	js, err := s.assets.URL("js/sandbox_runner.js")
	if err != nil {
		return err
	}
	css, err := s.assets.URL("css/sandbox.css")
	if err != nil {
		return err
	}
	page := `<!doctype html><html><head><meta charset="utf-8"><title>runner</title>` +
		`<link rel="stylesheet" href="` + css + `"><script src="` + js + `"></script></head>` +
		`<body class="sandbox-runner-body"></body></html>`
	return c.HTML(http.StatusOK, page)
}
