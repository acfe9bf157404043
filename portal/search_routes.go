package portal

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/locales"
)

func (s *Server) registerSearchRoutes() {
	s.echo.GET("/api/search", s.apiSearch)
	s.echo.GET("/:lang/search", s.searchPage, validLang)
}

// searchPage is the search results page, for readers without JavaScript
// and for "see all results".
func (s *Server) searchPage(c echo.Context) error {
	lang := langOf(c)
	q := c.QueryParam("q")
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	s.devIndexTopics(c.Request().Context(), docs)
	res, err := docs.index.Search(c.Request().Context(), lang, q, content.MaxResults)
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/search")
	v.Title = v.T("search.title")
	v.NoIndex = true
	v.Data = map[string]any{"Query": q, "Results": res}
	return s.render(c, http.StatusOK, "search", v)
}

// searchResponse is the body of GET /api/search.
type searchResponse struct {
	Results []content.Result `json:"results"`
}

// apiSearch answers GET /api/search?q=...&lang=...&limit=...: docs pages
// and forum topics (kind "topic", indexed by forum_search.go) in one
// ranked list, title matches first, then by BM25.
func (s *Server) apiSearch(c echo.Context) error {
	lang, ok := locales.Lang(c.QueryParam("lang"))
	if !ok && c.QueryParam("lang") != "" {
		return newUserError(http.StatusBadRequest, "error.bad_lang")
	}
	limit := 20
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > content.MaxResults {
			return newUserError(http.StatusBadRequest, "error.bad_limit", "Max", content.MaxResults)
		}
		limit = n
	}
	docs, err := s.currentDocs(c.Request().Context())
	if err != nil {
		return err
	}
	s.devIndexTopics(c.Request().Context(), docs)
	res, err := docs.index.Search(c.Request().Context(), lang, c.QueryParam("q"), limit)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, searchResponse{Results: res})
}
