package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// newTopicData is what templates/pages/forum/new.html shows.
type newTopicData struct {
	Form       postForm
	Categories []*forum.Category
	Priorities []forum.Priority
	// UrgentCategories names the categories where members may choose
	// urgent (sla_lifecycle.go).
	UrgentCategories string
	// DocsURL links the docs page the question is about.
	DocsURL string
}

var priorities = []forum.Priority{forum.PriorityNormal, forum.PriorityHigh, forum.PriorityUrgent}

// newTopicForm shows the question form. ?docs=/docs/page (from "Ask about
// this page") pre-fills the reference; ?c=slug the category.
func (s *Server) newTopicForm(c echo.Context) error {
	if viewer(c) == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	lang := langOf(c)
	form := postForm{Lang: lang, Priority: string(forum.PriorityNormal), DocsPath: docsParam(c.QueryParam("docs"))}
	if slug := c.QueryParam("c"); slug != "" {
		if cat, err := s.cfg.Forum.CategoryBySlug(c.Request().Context(), slug); err == nil {
			form.CategoryID = cat.ID
		}
	}
	return s.renderNewTopic(c, http.StatusOK, form)
}

// docsParam accepts a docs page as "/docs/x", "/en/docs/x" or "docs/x".
func docsParam(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for _, l := range []string{"/en/", "/zh/"} {
		if strings.HasPrefix(p, l) {
			p = p[len(l)-1:]
		}
	}
	return strings.TrimSuffix(p, "/")
}

func (s *Server) renderNewTopic(c echo.Context, status int, form postForm) error {
	lang := langOf(c)
	cats, err := s.cfg.Forum.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	v := s.newView(c, lang, "/forum/new")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.new.title")
	d := &newTopicData{Form: form, Categories: cats, Priorities: priorities}
	if s.cfg.SLA != nil {
		if d.Priorities, d.UrgentCategories, err = s.priorityChoices(c); err != nil {
			return err
		}
	}
	if form.DocsPath != "" {
		d.DocsURL = "/" + lang + form.DocsPath
	}
	v.Data = d
	return s.render(c, status, "forum/new", v)
}

// createTopic posts a question, or with action=preview shows it first.
// Errors re-render the form with everything the user wrote.
func (s *Server) createTopic(c echo.Context) error {
	if viewer(c) == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	loc := s.localizer(langOf(c))
	form := postForm{
		Title:      c.FormValue("title"),
		Body:       c.FormValue("body"),
		CategoryID: formInt(c, "category"),
		Tags:       c.FormValue("tags"),
		Lang:       c.FormValue("lang"),
		Priority:   c.FormValue("priority"),
		Impact:     c.FormValue("impact"),
		DocsPath:   docsParam(c.FormValue("docs")),
	}
	if c.FormValue("action") == "preview" {
		if err := s.preview(&form, loc, c); err != nil {
			return err
		}
		return s.renderNewTopic(c, http.StatusOK, form)
	}
	in := forum.NewTopic{
		CategoryID: form.CategoryID,
		Title:      form.Title,
		Body:       form.Body,
		Lang:       form.Lang,
		Tags:       splitTags(form.Tags),
		Priority:   forum.Priority(form.Priority),
		Impact:     form.Impact,
		DocsPath:   form.DocsPath,
	}
	t, err := s.cfg.Forum.CreateTopic(c.Request().Context(), in)
	if err != nil {
		status, msg, ok := formError(c, loc, err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderNewTopic(c, status, form)
	}
	return c.Redirect(http.StatusSeeOther, topicURL(langOf(c), t))
}

// splitTags reads tags separated by commas or spaces.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\t' })
}

// CategorySelected is a template helper: whether a category is chosen.
func (f postForm) CategorySelected(id int64) bool { return f.CategoryID == id }

// IDString formats an ID for form values.
func (f postForm) IDString(id int64) string { return strconv.FormatInt(id, 10) }
