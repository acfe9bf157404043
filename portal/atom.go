package portal

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// atomFeed is an Atom 1.0 feed (RFC 4287). Every feed of the portal
// (changelog, forum lists, status incidents) is written with it.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  *atomAuthor `xml:"author,omitempty"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Published string      `xml:"published,omitempty"`
	Links     []atomLink  `xml:"link"`
	Author    *atomAuthor `xml:"author,omitempty"`
	Summary   string      `xml:"summary,omitempty"`
	Content   *atomText   `xml:"content,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeAtom sends feed. updated defaults to the newest entry, or the Unix
// epoch for an empty feed (stable, so caches and readers see no change).
func writeAtom(c echo.Context, feed *atomFeed) error {
	if feed.Updated == "" {
		feed.Updated = atomTime(time.Unix(0, 0))
		for _, e := range feed.Entries {
			if e.Updated > feed.Updated {
				feed.Updated = e.Updated
			}
		}
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), out...))
}

// absURL makes a site-relative path absolute for feeds.
func absURL(c echo.Context, p string) string { return c.Scheme() + "://" + c.Request().Host + p }

// feedLink matches the link and image addresses of rendered HTML, whose
// attributes goldmark and bluemonday always double-quote.
var feedLink = regexp.MustCompile(`\b(href|src)="([^"]*)"`)

// absLinks makes the addresses in h absolute, for a feed entry's content:
// a feed reader resolves "#anchor" against the feed, not the page, and
// may not resolve "/path" at all. page is the page's site-relative path
// that h is part of.
func absLinks(c echo.Context, page, h string) string {
	return feedLink.ReplaceAllStringFunc(h, func(m string) string {
		sub := feedLink.FindStringSubmatch(m)
		switch v := sub[2]; {
		case strings.HasPrefix(v, "#"):
			return sub[1] + `="` + absURL(c, page+v) + `"`
		case strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//"):
			return sub[1] + `="` + absURL(c, v) + `"`
		}
		return m
	})
}
