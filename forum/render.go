package forum

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
)

// Renderer turns Markdown into HTML. Portal passes the docs renderer
// (package content), so forum posts get the same Markdown dialect and code
// highlighting as the docs. Its output is treated as untrusted: the forum
// sanitizes it.
type Renderer interface {
	Render(src []byte) ([]byte, error)
}

// Post body limits, in characters.
const (
	TitleMinLen = 5
	TitleMaxLen = 150
	BodyMinLen  = 5
	BodyMaxLen  = 32000
)

// sanitizer wraps the bluemonday policy for user content.
type sanitizer struct {
	p    *bluemonday.Policy
	text *bluemonday.Policy
}

// rendererClass matches the class lists the post renderer (package
// content) emits: chroma's "chroma" and short token classes such as "kd",
// "nx", "s2", "line", "cl", "ln", "lnt", "hl"; goldmark's "language-go";
// GitHub-style alerts ("alert alert-note", "alert-title"); and the
// "code-block" wrapper. Nothing else, so posts cannot borrow the site's
// own classes to imitate its interface.
var rendererClass = regexp.MustCompile(`^(?:(?:chroma|line|cl|lntd|lntable|lnt|ln|hl|[a-z]{1,2}[0-9]?|language-[a-zA-Z0-9_+#-]{1,30}|code-block|alert|alert-(?:note|tip|important|warning|caution)|alert-title)(?: |$))+$`)

func newSanitizer() *sanitizer {
	p := bluemonday.UGCPolicy()
	// Code highlighting: chroma emits classes, never style attributes.
	p.AllowAttrs("class").Matching(rendererClass).OnElements("code", "span", "pre", "div", "p", "table", "td", "tr")
	p.AllowAttrs("data-lang").Matching(regexp.MustCompile(`^[a-zA-Z0-9_+#-]{1,30}$`)).OnElements("div")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^note$`)).OnElements("div")
	// No <input>: GFM task-list boxes lose their box but keep their text,
	// which is better than letting posts draw form fields.
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &sanitizer{p: p, text: bluemonday.StrictPolicy()}
}

// render turns Markdown into safe HTML.
func (s *Store) render(src string) (string, error) {
	if s.cfg.Renderer == nil {
		return "", fmt.Errorf("forum: no Markdown renderer configured")
	}
	out, err := s.cfg.Renderer.Render([]byte(src))
	if err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return s.policy.p.Sanitize(string(out)), nil
}

// RenderPreview renders Markdown exactly as a post would be stored, for
// the preview shown before posting. It returns an ErrInvalid error for a
// body that is too long.
func (s *Store) RenderPreview(src string) (string, error) {
	if utf8.RuneCountInString(src) > BodyMaxLen {
		return "", invalid("body", "forum.error.body_too_long", map[string]any{"Max": BodyMaxLen, "Count": BodyMaxLen})
	}
	return s.render(src)
}

// SanitizeHTML applies the forum's policy to HTML from any source.
func (s *Store) SanitizeHTML(h string) string { return s.policy.p.Sanitize(h) }

var codeBlock = regexp.MustCompile(`(?s)<pre[^>]*>.*?</pre>|<code[^>]*>.*?</code>`)

// plainText returns the text of sanitized HTML, for search and mentions.
// With withCode false, code blocks and spans are left out.
func (s *Store) plainText(h string, withCode bool) string {
	if !withCode {
		h = codeBlock.ReplaceAllString(h, " ")
	}
	// Block boundaries become spaces so words from adjacent paragraphs do
	// not run together.
	h = strings.NewReplacer("</p>", "</p> ", "<br>", " ", "<br/>", " ", "</li>", "</li> ", "</h", " </h", "</pre>", "</pre> ", "</td>", "</td> ").Replace(h)
	t := html.UnescapeString(s.policy.text.Sanitize(h))
	return strings.Join(strings.Fields(t), " ")
}

var linkTag = regexp.MustCompile(`<a\s[^>]*href=|<img\s`)

// externalImage finds an image loaded from another site in sanitized HTML.
// The pages' CSP loads images from the portal only, so such an image would
// always show broken: posts with one are refused with a message instead.
var externalImage = regexp.MustCompile(`<img\s[^>]*src="(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)`)

// countLinks counts links and images in sanitized HTML.
func countLinks(h string) int { return len(linkTag.FindAllStringIndex(h, -1)) }

// renderBody validates a post's Markdown and renders it, returning the
// cleaned source and its HTML.
func (s *Store) renderBody(src string) (body, html string, err error) {
	if body, err = validateBody(src); err != nil {
		return "", "", err
	}
	if html, err = s.render(body); err != nil {
		return "", "", err
	}
	return body, html, nil
}

func validateBody(src string) (string, error) {
	src = strings.TrimSpace(strings.ReplaceAll(src, "\r\n", "\n"))
	if !utf8.ValidString(src) {
		return "", invalid("body", "forum.error.body_invalid", nil)
	}
	n := utf8.RuneCountInString(src)
	if n < BodyMinLen {
		return "", invalid("body", "forum.error.body_too_short", map[string]any{"Min": BodyMinLen, "Count": BodyMinLen})
	}
	if n > BodyMaxLen {
		return "", invalid("body", "forum.error.body_too_long", map[string]any{"Max": BodyMaxLen, "Count": BodyMaxLen})
	}
	if bytes.IndexByte([]byte(src), 0) >= 0 {
		return "", invalid("body", "forum.error.body_invalid", nil)
	}
	return src, nil
}

func validateTitle(t string) (string, error) {
	t = strings.Join(strings.Fields(t), " ")
	if !utf8.ValidString(t) || strings.ContainsRune(t, 0) {
		return "", invalid("title", "forum.error.title_invalid", nil)
	}
	n := utf8.RuneCountInString(t)
	if n < TitleMinLen {
		return "", invalid("title", "forum.error.title_too_short", map[string]any{"Min": TitleMinLen, "Count": TitleMinLen})
	}
	if n > TitleMaxLen {
		return "", invalid("title", "forum.error.title_too_long", map[string]any{"Max": TitleMaxLen, "Count": TitleMaxLen})
	}
	return t, nil
}
