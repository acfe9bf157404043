package portal

import (
	"html"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/status"
)

// statusFeedEntries is how many incidents the feed carries, newest first.
const statusFeedEntries = 50

// statusFeed serves the incidents and their updates as Atom at
// /status/feed.atom (?lang=zh for Chinese labels). An entry is updated
// with each status update, so feed readers show it again.
func (s *Server) statusFeed(c echo.Context) error {
	lang := "en"
	if c.QueryParam("lang") == "zh" {
		lang = "zh"
	}
	loc := s.localizer(lang)
	ins, err := s.cfg.Status.ListIncidents(c.Request().Context(), status.IncidentFilter{Limit: statusFeedEntries})
	if err != nil {
		return err
	}
	feed := &atomFeed{
		Lang:  lang,
		ID:    absURL(c, "/status/feed.atom"),
		Title: loc.T("status.feed_title"),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: absURL(c, statusFeedURL(lang))},
			{Rel: "alternate", Type: "text/html", Href: absURL(c, "/"+lang+"/status")},
		},
		Author: &atomAuthor{Name: "Switchboard"},
	}
	for i := range ins {
		in := &ins[i]
		last := in.Updates[len(in.Updates)-1] // every incident has its first update
		e := atomEntry{
			ID: absURL(c, "/status/incidents/"+strconv.FormatInt(in.ID, 10)),
			Title: loc.T("status.feed_entry_title", "Status", loc.T("status.incident_"+string(in.Status)),
				"Title", in.Title),
			Updated:   atomTime(last.CreatedAt),
			Published: atomTime(in.CreatedAt),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: absURL(c, incidentURL(lang, in.ID))}},
			Summary:   last.Message,
			Content:   &atomText{Type: "html", Body: incidentFeedHTML(loc, in)},
		}
		feed.Entries = append(feed.Entries, e)
	}
	return writeAtom(c, feed)
}

// incidentFeedHTML is an entry's content: the incident's facts and every
// update, newest first. Staff text is escaped; the feed carries it as
// escaped HTML text (type="html").
func incidentFeedHTML(loc *localizer, in *status.Incident) string {
	var b strings.Builder
	esc := html.EscapeString
	comps := make([]string, len(in.Components))
	for i, c := range in.Components {
		comps[i] = componentName(loc, c)
	}
	b.WriteString("<p>")
	b.WriteString(esc(loc.T("status.feed_facts", "Severity", loc.T("status.severity_"+string(in.Severity)),
		"Components", strings.Join(comps, loc.T("status.list_sep")), "Started", fmtTime(in.StartedAt),
		"Response", loc.Duration(seconds(in.FaultResponseSeconds)))))
	b.WriteString("</p>")
	for i := len(in.Updates) - 1; i >= 0; i-- {
		u := in.Updates[i]
		b.WriteString("<p><strong>" + esc(loc.T("status.incident_"+string(u.Status))) + "</strong> · " +
			esc(fmtTime(u.CreatedAt)) + " · " + esc(u.AuthorName) + "<br>" +
			strings.ReplaceAll(esc(u.Message), "\n", "<br>") + "</p>")
	}
	return b.String()
}
