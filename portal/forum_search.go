package portal

import (
	"context"
	"errors"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/search"
)

// Forum topics are searched two ways: the forum's own search page (with
// filters, through forum.Store.Search) and the site-wide /api/search,
// which ranks docs and topics in one list because topics are indexed into
// the same search.Index as the docs (kind "topic"). The index is built at
// start-up and kept current from forum.Store.OnEvent.

// topicIndexBody bounds the text indexed per topic.
const topicIndexBody = 20000

// indexForum indexes every visible topic and subscribes to changes. It
// works in the server's context, not the request's whose write caused
// the change: a reader who goes away must not leave the index stale.
func (s *Server) indexForum() {
	s.indexTopics(s.ctx, s.docs.index)
	s.cfg.Forum.OnEvent(func(_ context.Context, e forum.Event) {
		if s.ctx.Err() == nil {
			s.reindexTopic(s.ctx, e.TopicID)
		}
	})
}

// indexTopics puts every visible topic into ix.
func (s *Server) indexTopics(ctx context.Context, ix *search.Index) {
	for page := 1; ; page++ {
		list, err := s.cfg.Forum.ListTopics(forum.NewContext(ctx, nil), forum.TopicFilter{Page: page, PerPage: 100})
		if err != nil {
			s.log.ErrorContext(ctx, "index forum topics", "err", err)
			return
		}
		for _, t := range list.Topics {
			s.indexTopic(ctx, ix, t.ID)
		}
		if page >= list.Pages() {
			if err := ix.Optimize(ctx); err != nil {
				s.log.ErrorContext(ctx, "optimize search index", "err", err)
			}
			return
		}
	}
}

// devIndexTopics adds the forum's topics to docs that -dev mode has just
// rebuilt from disk (whose fresh index holds docs pages only).
func (s *Server) devIndexTopics(ctx context.Context, docs *docsState) {
	if s.cfg.Dev && s.cfg.Forum != nil {
		s.indexTopics(ctx, docs.index)
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plain turns sanitized post HTML into text for the index.
func plain(h string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(h, " "))), " ")
}

// reindexTopic puts a topic's current public text into the search index,
// or removes it when the public can no longer see it.
func (s *Server) reindexTopic(ctx context.Context, id int64) {
	s.indexTopic(ctx, s.docs.index, id)
}

func (s *Server) indexTopic(ctx context.Context, ix *search.Index, id int64) {
	key := "topic:" + strconv.FormatInt(id, 10)
	tv, err := s.cfg.Forum.TopicPage(forum.NewContext(ctx, nil), id)
	if errors.Is(err, forum.ErrNotFound) {
		if err := ix.Delete(ctx, key); err != nil {
			s.log.ErrorContext(ctx, "unindex topic", "topic", id, "err", err)
		}
		return
	}
	if err != nil {
		s.log.ErrorContext(ctx, "index topic", "topic", id, "err", err)
		return
	}
	var b strings.Builder
	b.WriteString(plain(tv.Question.HTML))
	for _, p := range tv.Replies {
		if b.Len() > topicIndexBody {
			break
		}
		if !p.Redacted {
			b.WriteString(" ")
			b.WriteString(plain(p.HTML))
		}
	}
	t := tv.Topic
	doc := search.Doc{Key: key, Kind: search.KindTopic, Lang: t.Lang, Title: t.Title, Body: b.String(), URL: topicURL(t.Lang, t),
		Group: t.CategoryID, Answered: t.Solved(), Time: t.BumpedAt.Unix()}
	if err := ix.Upsert(ctx, doc); err != nil {
		s.log.ErrorContext(ctx, "index topic", "topic", id, "err", err)
	}
}

// searchData is what templates/pages/forum/search.html shows.
type searchData struct {
	Query      string
	CategoryID int64
	Tag        string
	LangOpt    string // "all", "en" or "zh"
	Solved     string // "", "yes" or "no"
	Categories []*forum.Category
	Results    *forum.SearchResults
	Hits       []*forum.SearchHit // after the tag and solved filters
	Error      string
}

// forumSearch is the forum's search page. Category and language filter in
// the query; tag and solved filter the page of hits it returns.
func (s *Server) forumSearch(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	d := &searchData{
		Query: strings.TrimSpace(c.QueryParam("q")), Tag: strings.ToLower(strings.TrimSpace(c.QueryParam("tag"))),
		LangOpt: c.QueryParam("lang"), Solved: c.QueryParam("solved"), CategoryID: formInt(c, "c"),
	}
	if d.LangOpt == "" {
		d.LangOpt = lang
	}
	var err error
	if d.Categories, err = s.cfg.Forum.Categories(ctx); err != nil {
		return err
	}
	v := s.newView(c, lang, "/forum/search")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.search.title")
	v.Data = d
	status := http.StatusOK
	if d.Query != "" {
		q := forum.SearchQuery{Text: d.Query, CategoryID: d.CategoryID, PerPage: 50}
		if d.LangOpt == "en" || d.LangOpt == "zh" {
			q.Lang = d.LangOpt
		}
		d.Results, err = s.cfg.Forum.Search(ctx, q)
		if err != nil {
			st, msg, ok := formError(c, v.localizer, err)
			if !ok {
				return err
			}
			status, d.Error = st, msg
		} else {
			for _, h := range d.Results.Hits {
				if d.Tag != "" && !hasTag(h.Topic, d.Tag) || d.Solved == "yes" && !h.Topic.Solved() || d.Solved == "no" && h.Topic.Solved() {
					continue
				}
				d.Hits = append(d.Hits, h)
			}
		}
	}
	return s.render(c, status, "forum/search", v)
}

func hasTag(t *forum.Topic, tag string) bool {
	for _, x := range t.Tags {
		if x == tag {
			return true
		}
	}
	return false
}
