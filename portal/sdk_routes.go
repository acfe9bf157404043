package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// registerSDKRoutes serves the JavaScript SDK at a stable, versioned URL
// (/sdk/v1/switchboard.js) so that applications can import it directly.
// The URL does not change with the file, so it is revalidated by ETag
// rather than cached forever.
func (s *Server) registerSDKRoutes() {
	if s.cfg.SDK == nil {
		return
	}
	s.echo.GET("/sdk/v1/:file", s.serveSDK)
}

func (s *Server) serveSDK(c echo.Context) error {
	body, err := fs.ReadFile(s.cfg.SDK, c.Param("file"))
	if err != nil {
		return errNotFound
	}
	sum := sha256.Sum256(body)
	h := c.Response().Header()
	h.Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*") // an SDK is meant to be imported from any origin
	if ct := contentTypeOf(c.Param("file")); ct != "" {
		h.Set("Content-Type", ct)
	}
	http.ServeContent(c.Response(), c.Request(), c.Param("file"), time.Time{}, bytes.NewReader(body))
	return nil
}

func contentTypeOf(name string) string {
	switch {
	case len(name) > 3 && name[len(name)-3:] == ".js":
		return "text/javascript; charset=utf-8"
	case len(name) > 5 && name[len(name)-5:] == ".d.ts":
		return "text/plain; charset=utf-8"
	}
	return ""
}
