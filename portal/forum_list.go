package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// listQuery is a topic list as the address names it: /{lang}/forum,
// /{lang}/forum/c/{slug} or /{lang}/forum/tag/{tag}, with ?tab=, ?lang=
// and ?page=.
type listQuery struct {
	Base     string // the list's path without query, e.g. "/en/forum/c/go-sdk"
	Tab      forum.ListKind
	Category *forum.Category
	Tag      string
	LangOpt  string // "" (the page language), "all", "en" or "zh"
	Page     int
	Feed     bool // the address ends in .atom
}

var listTabs = []forum.ListKind{forum.ListLatest, forum.ListUnanswered, forum.ListUnsolved}

func (s *Server) parseListQuery(c echo.Context) (*listQuery, error) {
	lang := langOf(c)
	q := &listQuery{Base: "/" + lang + "/forum", Tab: forum.ListLatest, Page: 1}
	if slug := c.Param("slug"); slug != "" {
		slug, q.Feed = strings.CutSuffix(slug, ".atom")
		cat, err := s.cfg.Forum.CategoryBySlug(c.Request().Context(), slug)
		if err != nil {
			return nil, err
		}
		q.Category = cat
		q.Base += "/c/" + cat.Slug
	}
	if tag := c.Param("tag"); tag != "" {
		tag, _ = url.PathUnescape(tag)
		tag, q.Feed = strings.CutSuffix(tag, ".atom")
		q.Tag = tag
		q.Base += "/tag/" + url.PathEscape(tag)
	}
	if t := c.QueryParam("tab"); t != "" {
		q.Tab = forum.ListKind(t)
		ok := false
		for _, k := range listTabs {
			ok = ok || k == q.Tab
		}
		if !ok {
			return nil, errBadRequest
		}
	}
	switch l := c.QueryParam("lang"); l {
	case "", "all", "en", "zh":
		q.LangOpt = l
	default:
		return nil, errBadRequest
	}
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return nil, errBadRequest
		}
		q.Page = n
	}
	return q, nil
}

// lang is the topic language the list shows: the page's by default.
func (q *listQuery) lang(pageLang string) string {
	switch q.LangOpt {
	case "all":
		return ""
	case "":
		return pageLang
	}
	return q.LangOpt
}

// URL is this list with some query values changed ("" removes one).
func (q *listQuery) URL(kv ...string) string {
	v := url.Values{}
	if q.Tab != forum.ListLatest {
		v.Set("tab", string(q.Tab))
	}
	if q.LangOpt != "" {
		v.Set("lang", q.LangOpt)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" || kv[i] == "tab" && kv[i+1] == string(forum.ListLatest) || kv[i] == "page" && kv[i+1] == "1" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return q.Base
	}
	return q.Base + "?" + v.Encode()
}

// FeedURL is the Atom feed of this list.
func (q *listQuery) FeedURL() string {
	switch {
	case q.Category != nil || q.Tag != "":
		return q.Base + ".atom"
	case q.Tab != forum.ListLatest:
		return q.Base + "/" + string(q.Tab) + ".atom"
	}
	return q.Base + "/latest.atom"
}

func (s *Server) filter(q *listQuery, pageLang string, per int) forum.TopicFilter {
	f := forum.TopicFilter{Kind: q.Tab, Lang: q.lang(pageLang), Tag: q.Tag, Page: q.Page, PerPage: per}
	if q.Category != nil {
		f.CategoryID = q.Category.ID
	}
	return f
}

// forumIndex is a topic list: latest, unanswered or unsolved, optionally
// in one category or with one tag, in one language or all.
func (s *Server) forumIndex(c echo.Context) error {
	q, err := s.parseListQuery(c)
	if err != nil {
		return err
	}
	if q.Feed {
		return s.writeTopicFeed(c, q, langOf(c))
	}
	ctx := c.Request().Context()
	lang := langOf(c)
	list, err := s.cfg.Forum.ListTopics(ctx, s.filter(q, lang, topicsPerPage))
	if err != nil {
		return err
	}
	if u := viewer(c); u != nil {
		// "New since your last visit" for signed-in readers.
		since, err := s.cfg.Forum.Visit(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := s.cfg.Forum.MarkNew(ctx, u.ID, since, list.Topics); err != nil {
			return err
		}
	}
	cats, err := s.cfg.Forum.Categories(ctx)
	if err != nil {
		return err
	}
	tags, err := s.cfg.Forum.Tags(ctx, 20)
	if err != nil {
		return err
	}
	v := s.newView(c, lang, strings.TrimPrefix(q.Base, "/"+lang))
	v.Section = "forum"
	v.Title = v.T("web.forum.title")
	switch {
	case q.Category != nil:
		v.Title = q.Category.Name(lang)
		v.Description = q.Category.Description(lang)
	case q.Tag != "":
		v.Title = v.T("web.forum.tag_title", "Tag", q.Tag)
	}
	v.FeedURL = q.FeedURL()
	if q.Page > 1 || q.LangOpt != "" || q.Tab != forum.ListLatest {
		v.NoIndex = true
	}
	v.Data = map[string]any{"Q": q, "List": list, "Categories": cats, "Tags": tags, "Tabs": listTabs}
	return s.render(c, http.StatusOK, "forum/index", v)
}

// forumFeed serves /forum/latest.atom (every language) and the
// /{lang}/forum/{latest,unanswered,unsolved}.atom feeds.
func (s *Server) forumFeed(c echo.Context) error {
	lang := langOf(c)
	q := &listQuery{Tab: forum.ListLatest, Page: 1, LangOpt: "all"}
	if lang != "" {
		q.Base, q.LangOpt = "/"+lang+"/forum", ""
		name := strings.TrimSuffix(c.Request().URL.Path[strings.LastIndexByte(c.Request().URL.Path, '/')+1:], ".atom")
		q.Tab = forum.ListKind(name)
	}
	return s.writeTopicFeed(c, q, lang)
}

func (s *Server) writeTopicFeed(c echo.Context, q *listQuery, lang string) error {
	list, err := s.cfg.Forum.ListTopics(c.Request().Context(), s.filter(q, lang, feedEntries))
	if err != nil {
		return err
	}
	loc := s.localizer(lang)
	if lang == "" {
		loc = s.localizer("en")
	}
	title := loc.T("web.forum.feed_title", "List", loc.T("web.forum.tab."+string(q.Tab)))
	switch {
	case q.Category != nil:
		title = loc.T("web.forum.feed_title", "List", q.Category.Name(loc.lang))
	case q.Tag != "":
		title = loc.T("web.forum.feed_title", "List", "#"+q.Tag)
	}
	ids := make([]int64, len(list.Topics))
	for i, t := range list.Topics {
		ids[i] = t.ID
	}
	questions, err := s.cfg.Forum.QuestionHTML(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	self := c.Request().URL.Path
	feed := &atomFeed{
		Lang:  lang,
		ID:    absURL(c, self),
		Title: title,
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: absURL(c, self)}},
	}
	for _, t := range list.Topics {
		tl := lang
		if tl == "" {
			tl = t.Lang
		}
		u := absURL(c, topicURL(tl, t))
		var text *atomText
		if h, ok := questions[t.ID]; ok {
			text = &atomText{Type: "html", Body: absLinks(c, topicURL(tl, t), h)}
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID:        u,
			Title:     t.Title,
			Updated:   atomTime(t.BumpedAt),
			Published: atomTime(t.CreatedAt),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: u}},
			Author:    &atomAuthor{Name: t.AuthorName},
			Summary:   loc.T("web.forum.feed_summary", "Count", t.ReplyCount, "Tags", strings.Join(t.Tags, ", ")),
			Content:   text,
		})
	}
	return writeAtom(c, feed)
}

// pageURLs lists the page links of a paginated list.
type pageLink struct {
	N       int
	URL     string
	Current bool
}

func pageLinks(total, current int, urlOf func(n int) string) []pageLink {
	if total <= 1 {
		return nil
	}
	var out []pageLink
	for n := 1; n <= total; n++ {
		if n == 1 || n == total || n >= current-2 && n <= current+2 {
			out = append(out, pageLink{N: n, URL: urlOf(n), Current: n == current})
		}
	}
	return out
}

// Pages is the page links of the list q shows.
func (q *listQuery) Pages(list *forum.TopicList) []pageLink {
	return pageLinks(list.Pages(), q.Page, func(n int) string { return q.URL("page", fmt.Sprint(n)) })
}
