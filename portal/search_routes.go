package portal

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/locales"
	"github.com/switchboard-rtm/switchboard/search"
)

func (s *Server) registerSearchRoutes() {
	s.echo.GET("/api/search", s.apiSearch)
	s.echo.GET("/:lang/search", s.searchPage, validLang)
}

// searchResult is one hit as the page and GET /api/search show it.
type searchResult struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"`
	Kind    string `json:"kind"`
}

// siteSearch runs q over the docs pages and forum topics of lang, in one
// ranked list (the site index; topics are added by forum_search.go).
func (s *Server) siteSearch(ctx context.Context, lang, q string, limit int) (*search.Results, []searchResult, error) {
	docs, err := s.currentDocs(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.devIndexTopics(ctx, docs)
	res, err := docs.index.Search(ctx, search.Request{Text: q, Lang: lang, Limit: limit})
	if err != nil {
		return nil, nil, err
	}
	out := make([]searchResult, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = searchResult{Title: h.Title, URL: h.URL, Snippet: h.Snippet, Kind: h.Kind}
	}
	return res, out, nil
}

// searchPage is the search results page, for readers without JavaScript
// and for "see all results". It says when the hits match only some of the
// words, and offers the typo-corrected query.
func (s *Server) searchPage(c echo.Context) error {
	lang := langOf(c)
	q := c.QueryParam("q")
	res, hits, err := s.siteSearch(c.Request().Context(), lang, q, search.MaxResults)
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/search")
	v.Title = v.T("search.title")
	v.NoIndex = true
	v.Data = map[string]any{"Query": q, "Results": hits, "Partial": res.Partial, "Suggestion": res.Suggestion}
	return s.render(c, http.StatusOK, "search", v)
}

// searchResponse is the body of GET /api/search.
type searchResponse struct {
	Results []searchResult `json:"results"`
}

// apiSearch answers GET /api/search?q=...&lang=...&limit=...: docs pages
// and forum topics (kind "topic") in one ranked list.
func (s *Server) apiSearch(c echo.Context) error {
	lang, ok := locales.Lang(c.QueryParam("lang"))
	if !ok && c.QueryParam("lang") != "" {
		return newUserError(http.StatusBadRequest, "error.bad_lang")
	}
	limit := 20
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > search.MaxResults {
			return newUserError(http.StatusBadRequest, "error.bad_limit", "Max", search.MaxResults)
		}
		limit = n
	}
	_, hits, err := s.siteSearch(c.Request().Context(), lang, c.QueryParam("q"), limit)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, searchResponse{Results: hits})
}
