package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/forum"
)

// backToPost redirects to a post in its topic.
func (s *Server) backToPost(c echo.Context, p *forum.Post) error {
	t, err := s.cfg.Forum.Topic(c.Request().Context(), p.TopicID)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, topicURL(langOf(c), t)+"#post-"+strconv.Itoa(p.Number))
}

// postAction runs do on post :id and returns to the post.
func (s *Server) postAction(c echo.Context, do func(p *forum.Post) error) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Forum.Post(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := do(p); err != nil {
		return err
	}
	if err := s.backToPost(c, p); errors.Is(err, forum.ErrNotFound) {
		// The action hid the topic from this viewer (flags, deletion).
		return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/forum")
	} else if err != nil {
		return err
	}
	return nil
}

// postRedirect serves /{lang}/forum/p/{id}: the post in its topic.
func (s *Server) postRedirect(c echo.Context) error {
	return s.postAction(c, func(*forum.Post) error { return nil })
}

func (s *Server) acceptPost(c echo.Context) error {
	return s.postAction(c, func(p *forum.Post) error { return s.cfg.Forum.Accept(c.Request().Context(), p.ID) })
}

// votePost up-votes (up=1) or withdraws a vote (up=0). A JSON client gets
// the new score.
func (s *Server) votePost(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	score, err := s.cfg.Forum.Vote(c.Request().Context(), id, c.FormValue("up") != "0")
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]int{"score": score})
	}
	return s.postAction(c, func(*forum.Post) error { return nil })
}

// flagForm asks why a post should be flagged.
func (s *Server) flagForm(c echo.Context) error {
	p, t, err := s.postAndTopic(c)
	if err != nil {
		return err
	}
	if !forum.Can(viewer(c), forum.ActionFlag, forum.Resource{OwnerID: p.AuthorID}, s.cfg.Now()) {
		if viewer(c) == nil {
			return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
		}
		return &forum.Error{Kind: forum.ErrForbidden, ID: "forum.error.forbidden"}
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/forum/p/"+strconv.FormatInt(p.ID, 10)+"/flag")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.flag.title")
	v.Data = map[string]any{"Post": p, "Topic": t, "Reasons": flagReasons}
	return s.render(c, http.StatusOK, "forum/flag", v)
}

func (s *Server) flagPost(c echo.Context) error {
	return s.postAction(c, func(p *forum.Post) error {
		return s.cfg.Forum.FlagPost(c.Request().Context(), p.ID, forum.FlagReason(c.FormValue("reason")), c.FormValue("note"))
	})
}

// deletePost soft-deletes a post; deleting the question leaves the topic
// for the forum's front page.
func (s *Server) deletePost(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.cfg.Forum.Post(ctx, id)
	if err != nil {
		return err
	}
	if err := s.cfg.Forum.DeletePost(ctx, id); err != nil {
		return err
	}
	if p.Number == 1 {
		return c.Redirect(http.StatusSeeOther, "/"+langOf(c)+"/forum")
	}
	return s.backToPost(c, p)
}

// editData is what templates/pages/forum/edit.html shows.
type editData struct {
	Post  *forum.Post
	Topic *forum.Topic
	Form  postForm
}

func (s *Server) editPostForm(c echo.Context) error {
	p, t, err := s.postAndTopic(c)
	if err != nil {
		return err
	}
	if err := s.mayEdit(c, p, t); err != nil {
		return err
	}
	return s.renderEdit(c, http.StatusOK, p, t, postForm{Title: t.Title, Body: p.Source})
}

func (s *Server) renderEdit(c echo.Context, status int, p *forum.Post, t *forum.Topic, form postForm) error {
	lang := langOf(c)
	v := s.newView(c, lang, "/forum/p/"+strconv.FormatInt(p.ID, 10)+"/edit")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.edit.title")
	v.Data = &editData{Post: p, Topic: t, Form: form}
	return s.render(c, status, "forum/edit", v)
}

// editPost saves an edit (and, for a question, a new title), or shows a
// preview of it.
func (s *Server) editPost(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc := s.localizer(langOf(c))
	p, err := s.cfg.Forum.Post(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.cfg.Forum.Topic(ctx, p.TopicID)
	if err != nil {
		return err
	}
	if err := s.mayEdit(c, p, t); err != nil {
		return err
	}
	form := postForm{Title: strings.TrimSpace(c.FormValue("title")), Body: c.FormValue("body")}
	if p.Number != 1 {
		form.Title = t.Title
	}
	if c.FormValue("action") == "preview" {
		if err := s.preview(&form, loc, c); err != nil {
			return err
		}
		return s.renderEdit(c, http.StatusOK, p, t, form)
	}
	save := func() error {
		if p.Number == 1 && form.Title != t.Title {
			if _, err := s.cfg.Forum.EditTopic(ctx, t.ID, forum.TopicEdit{Title: &form.Title}); err != nil {
				return err
			}
		}
		if form.Body != p.Source {
			if _, err := s.cfg.Forum.EditPost(ctx, p.ID, form.Body); err != nil {
				return err
			}
		}
		return nil
	}
	if err := save(); err != nil {
		status, msg, ok := formError(c, loc, err)
		if !ok {
			return err
		}
		form.Error = msg
		return s.renderEdit(c, status, p, t, form)
	}
	return s.backToPost(c, p)
}

// revisionsPage shows every version of a post; it is public like the post.
func (s *Server) revisionsPage(c echo.Context) error {
	p, t, err := s.postAndTopic(c)
	if err != nil {
		return err
	}
	revs, err := s.cfg.Forum.Revisions(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.newView(c, lang, "/forum/p/"+strconv.FormatInt(p.ID, 10)+"/revisions")
	v.Section = "forum"
	v.NoIndex = true
	v.Title = v.T("web.revisions.title", "Topic", t.Title)
	v.Data = map[string]any{"Post": p, "Topic": t, "Revisions": revs}
	return s.render(c, http.StatusOK, "forum/revisions", v)
}

// mayEdit tells early whether the viewer may edit p, so that a stranger's
// form is refused before its input is validated. forum.Store checks again
// when saving.
func (s *Server) mayEdit(c echo.Context, p *forum.Post, t *forum.Topic) error {
	if forum.Can(viewer(c), forum.ActionEditPost, forum.Resource{OwnerID: p.AuthorID, Locked: t.Locked}, s.cfg.Now()) {
		return nil
	}
	if viewer(c) == nil {
		return &forum.Error{Kind: forum.ErrUnauthorized, ID: "forum.error.login_required"}
	}
	return &forum.Error{Kind: forum.ErrForbidden, ID: "forum.error.forbidden"}
}

// postAndTopic loads the post named by the :id route parameter and its
// topic.
func (s *Server) postAndTopic(c echo.Context) (*forum.Post, *forum.Topic, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, nil, err
	}
	ctx := c.Request().Context()
	p, err := s.cfg.Forum.Post(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.cfg.Forum.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}
