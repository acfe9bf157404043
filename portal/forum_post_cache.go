package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// Each post of a topic page is rendered by the "forum_post" template once
// per distinct look (its fields, the viewer's permissions on it, the
// language) and the HTML is reused, with the viewer's CSRF token spliced
// into its forms. Signed-in readers, whose pages cannot be cached whole,
// then pay for a hundred posts with a hundred map lookups.

// postCacheMax bounds the number of cached posts (a few KB each).
const postCacheMax = 20000

// renderPosts fills in the Rendered HTML of every post item of d.
func (s *Server) renderPosts(v *view, d *topicPageData) error {
	tm, err := s.tmpl.get("forum/topic")
	if err != nil {
		return err
	}
	token := v.CSRF
	render := func(it *postItem, copy bool) (template.HTML, error) {
		key := postItemKey(v.Lang+"@"+v.Zone().String(), it, copy) // times are in the reader's zone
		h, ok := s.postFragments.get(key)
		if !ok {
			v.CSRF = csrfPlaceholder
			var buf bytes.Buffer
			err := tm.ExecuteTemplate(&buf, "forum_post", map[string]any{"V": v, "P": it, "L": d.Labels, "Copy": copy})
			v.CSRF = token
			if err != nil {
				return "", fmt.Errorf("render post %d: %w", it.ID, err)
			}
			h = buf.String()
			if !s.cfg.Dev {
				s.postFragments.put(key, h)
			}
		}
		if strings.Contains(h, csrfPlaceholder) {
			h = strings.ReplaceAll(h, csrfPlaceholder, token)
		}
		return template.HTML(h), nil // rendered by html/template
	}
	if d.Question.Rendered, err = render(d.Question, false); err != nil {
		return err
	}
	for _, it := range d.Replies {
		if it.Rendered, err = render(it, false); err != nil {
			return err
		}
	}
	if d.Accepted != nil {
		if d.Accepted.RenderedCopy, err = render(d.Accepted, true); err != nil {
			return err
		}
	}
	return nil
}

// postItemKey identifies everything the "forum_post" template shows of it.
func postItemKey(lang string, it *postItem, copy bool) string {
	k := newKeyHash()
	bits := int64(0)
	for i, on := range []bool{copy, it.Hidden, it.Redacted, it.Accepted, it.Voted,
		it.CanVote, it.CanAccept, it.CanUnaccept, it.CanEdit, it.CanDelete, it.CanFlag} {
		if on {
			bits |= 1 << i
		}
	}
	k.num(bits)
	k.num(it.ID)
	k.num(it.TopicID)
	k.num(int64(it.Number))
	k.num(int64(it.Revision))
	k.num(int64(it.Score))
	k.num(int64(len(it.HTML)))
	k.num(it.CreatedAt.UnixNano())
	k.num(it.DeletedAt.UnixNano())
	k.str(it.AuthorName)
	k.str(it.AuthorUsername)
	k.str(string(it.AuthorRole))
	return lang + ":" + k.sum()
}
